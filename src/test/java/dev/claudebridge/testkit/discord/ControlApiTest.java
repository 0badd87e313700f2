package dev.claudebridge.testkit.discord;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import discord4j.common.util.Snowflake;
import discord4j.core.event.domain.interaction.ButtonInteractionEvent;
import discord4j.core.event.domain.interaction.ChatInputInteractionEvent;
import discord4j.core.event.domain.interaction.SelectMenuInteractionEvent;
import discord4j.core.event.domain.message.MessageCreateEvent;
import discord4j.core.object.command.ApplicationCommandInteractionOptionValue;
import discord4j.core.object.component.ActionRow;
import discord4j.core.object.component.Button;
import discord4j.core.object.component.SelectMenu;
import discord4j.core.object.entity.Message;
import discord4j.core.object.entity.channel.TextChannel;
import discord4j.core.spec.MessageCreateSpec;
import discord4j.discordjson.json.ApplicationCommandRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The /_sim/ control API drives the same fake as the Java API, for scripts and manual runs. */
final class ControlApiTest {

    @Test
    @Timeout(40)
    void theControlApiInjectsReadsConfiguresAndFaults() {
        try (Harness h = Harness.start()) {
            RawHttp sim = new RawHttp(h.discord.port(), null);
            JsonNode info = sim.send("GET", "/_sim/info", null).body();
            assertThat(info.path("token").asText()).isEqualTo(h.discord.token());
            assertThat(info.path("main_channel_id").asText()).isEqualTo(h.ids.mainChannelId());
            assertThat(info.path("users").path("stranger").path("role_id").asText())
                    .isEqualTo(FakeUser.STRANGER.roleId());

            String id = sim.send("POST", "/_sim/messages", "{\"user\":\"owner\",\"channel_id\":\""
                    + h.ids.mainChannelId() + "\",\"content\":\"from a script\"}").body().path("id").asText();
            assertThat(h.await(MessageCreateEvent.class, e -> e.getMessage().getId().asString().equals(id))
                    .getMessage().getContent()).isEqualTo("from a script");

            h.rest().getApplicationService().bulkOverwriteGlobalApplicationCommand(
                    Long.parseLong(h.ids.applicationId()),
                    List.of(ApplicationCommandRequest.builder().name("ask").description("a").build()))
                    .blockLast(Harness.WAIT);
            String interaction = sim.send("POST", "/_sim/commands", "{\"user\":\"friend\",\"channel_id\":\""
                    + h.ids.mainChannelId() + "\",\"name\":\"ask\",\"options\":{\"prompt\":\"hi\",\"n\":2}}")
                    .body().path("id").asText();
            ChatInputInteractionEvent command = h.await(ChatInputInteractionEvent.class,
                    e -> e.getInteraction().getId().asString().equals(interaction));
            assertThat(command.getOption("n").flatMap(o -> o.getValue())
                    .map(ApplicationCommandInteractionOptionValue::asLong)).contains(2L);
            command.reply("ok").block(Harness.WAIT);
            JsonNode answered = sim.send("GET", "/_sim/interactions/" + interaction, null).body();
            assertThat(answered.path("callbacks").path(0).path("type").asInt()).isEqualTo(4);

            TextChannel main = h.gateway.getChannelById(Snowflake.of(h.ids.mainChannelId()))
                    .ofType(TextChannel.class).block(Harness.WAIT);
            Message prompt = main.createMessage(MessageCreateSpec.builder().content("allow?")
                    .addComponent(ActionRow.of(Button.primary("allow", "Allow")))
                    .addComponent(ActionRow.of(SelectMenu.of("pick", SelectMenu.Option.of("A", "a"))))
                    .build()).block(Harness.WAIT);
            String click = sim.send("POST", "/_sim/buttons", "{\"user\":\"owner\",\"message_id\":\""
                    + prompt.getId().asString() + "\",\"custom_id\":\"allow\"}").body().path("id").asText();
            assertThat(h.await(ButtonInteractionEvent.class, e -> e.getInteraction().getId().asString().equals(click))
                    .getCustomId()).isEqualTo("allow");
            String choice = sim.send("POST", "/_sim/selects", "{\"user\":\"owner\",\"message_id\":\""
                    + prompt.getId().asString() + "\",\"custom_id\":\"pick\",\"values\":[\"a\"]}").body().path("id")
                    .asText();
            assertThat(h.await(SelectMenuInteractionEvent.class,
                    e -> e.getInteraction().getId().asString().equals(choice)).getValues()).containsExactly("a");

            JsonNode listed = sim.send("GET", "/_sim/channels/" + h.ids.mainChannelId() + "/messages", null).body();
            assertThat(listed.findValuesAsText("content")).contains("from a script", "allow?", "ok");
            assertThat(sim.send("GET", "/_sim/messages/" + id, null).body().path("by_bot").asBoolean()).isFalse();

            JsonNode settings = sim.send("PUT", "/_sim/settings",
                    "{\"message_create_limit\":2,\"interaction_deadline_ms\":500}").body();
            assertThat(settings.path("message_create_limit").asInt()).isEqualTo(2);
            assertThat(h.discord.settings().interactionDeadline()).isEqualTo(Duration.ofMillis(500));

            assertThat(sim.send("POST", "/_sim/faults", "{\"route\":\"" + FakeRoutes.GET_CHANNEL
                    + "\",\"latency_ms\":1}").status()).isEqualTo(204);
            assertThat(sim.send("DELETE", "/_sim/faults", null).status()).isEqualTo(204);
            assertThat(sim.send("GET", "/_sim/requests", null).body().path("requests")
                    .path(FakeRoutes.CREATE_MESSAGE).asLong()).isEqualTo(1L);

            assertThat(sim.send("POST", "/_sim/gateway/drop", null).body().path("connections").asInt()).isEqualTo(1);
            h.discord.next(Change.GatewayReady.class, Change.GatewayReady::resumed, Duration.ofSeconds(20)).block();

            assertThat(sim.send("POST", "/_sim/messages", "{\"user\":\"nobody\"}").status()).isEqualTo(400);
            assertThat(sim.send("GET", "/_sim/nothing", null).status()).isEqualTo(404);
        }
    }

    @Test
    void theStandaloneBannerNamesEverythingABotNeeds() {
        try (var discord = dev.claudebridge.testkit.FakeDiscord.start()) {
            assertThat(discord.banner())
                    .contains("port:                 " + discord.port())
                    .contains("DISCORD_TOKEN=" + discord.token())
                    .contains("DISCORD_API_BASE_URL=http://127.0.0.1:" + discord.port() + "/api/v10")
                    .contains("DISCORD_MAIN_CHANNEL_ID=" + discord.ids().mainChannelId())
                    .contains(FakeUser.OWNER.id());
        }
    }
}
