package dev.claudebridge.testkit.discord;

import static org.assertj.core.api.Assertions.assertThat;

import discord4j.common.util.Snowflake;
import discord4j.core.event.domain.guild.GuildCreateEvent;
import discord4j.core.event.domain.lifecycle.ReadyEvent;
import discord4j.core.object.entity.Guild;
import discord4j.core.object.entity.Member;
import discord4j.core.object.entity.channel.TextChannel;
import discord4j.core.object.presence.ClientActivity;
import discord4j.core.object.presence.ClientPresence;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class LoginTest {

    @Test
    void theRealClientLogsInAndSeesTheGuildWithItsChannelsMembersAndRoles() {
        try (Harness h = Harness.start()) {
            ReadyEvent ready = h.await(ReadyEvent.class, e -> true);
            assertThat(ready.getSelf().getId()).isEqualTo(Snowflake.of(h.ids.botId()));
            assertThat(ready.getSelf().isBot()).isTrue();

            Guild guild = h.await(GuildCreateEvent.class, e -> true).getGuild();
            assertThat(guild.getId()).isEqualTo(Snowflake.of(h.ids.guildId()));
            assertThat(guild.getOwnerId()).isEqualTo(Snowflake.of(FakeUser.OWNER.id()));

            TextChannel main = h.gateway.getChannelById(Snowflake.of(h.ids.mainChannelId()))
                    .ofType(TextChannel.class).block(Harness.WAIT);
            assertThat(main.getName()).isEqualTo("general");
            TextChannel other = h.gateway.getChannelById(Snowflake.of(h.ids.otherChannelId()))
                    .ofType(TextChannel.class).block(Harness.WAIT);
            assertThat(other.getName()).isEqualTo("random");

            Member stranger = h.gateway.getMemberById(Snowflake.of(h.ids.guildId()),
                    Snowflake.of(FakeUser.STRANGER.id())).block(Harness.WAIT);
            assertThat(stranger.getUsername()).isEqualTo("stranger");
            assertThat(stranger.getRoleIds()).containsExactly(Snowflake.of(FakeUser.STRANGER.roleId()));

            assertThat(h.discord.requestCounts())
                    .containsEntry("GET /gateway/bot", 2L)
                    .containsEntry("GET /gateway", 1L);
        }
    }

    @Test
    void applicationIdAndPresenceUpdatesAreAnsweredAndRecordedWithTheirTime() {
        try (Harness h = Harness.start()) {
            assertThat(h.rest().getApplicationId().block(Harness.WAIT)).isEqualTo(Long.parseLong(h.ids.applicationId()));

            h.gateway.updatePresence(ClientPresence.doNotDisturb(ClientActivity.custom("Working on 2")))
                    .block(Harness.WAIT);
            PresenceUpdate update = h.discord.next(Change.PresenceUpdated.class, c -> true, Harness.WAIT)
                    .block().presence();
            assertThat(update.status()).isEqualTo("dnd");
            assertThat(update.activityText()).isEqualTo("Working on 2");
            assertThat(update.at()).isNotNull();
            assertThat(h.discord.presenceUpdates()).extracting(PresenceUpdate::status).isEqualTo(List.of("dnd"));
        }
    }

    @Test
    void aWrongTokenIsRefusedOnRestWith401() {
        try (var discord = dev.claudebridge.testkit.FakeDiscord.start()) {
            var client = discord4j.core.DiscordClientBuilder.create("MTExMTExMTExMTExMTExMTEx.wrong.token")
                    .build(discord.router());
            assertThat(client.getApplicationId().map(id -> "ok")
                    .onErrorResume(e -> reactor.core.publisher.Mono.just(e.getMessage()))
                    .block(Duration.ofSeconds(10)))
                    .contains("401");
        }
    }
}
