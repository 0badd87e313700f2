package dev.claudebridge.testkit.discord;

import static org.assertj.core.api.Assertions.assertThat;

import discord4j.common.util.Snowflake;
import discord4j.core.event.domain.message.MessageCreateEvent;
import discord4j.core.object.entity.Message;
import discord4j.core.object.entity.channel.TextChannel;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Gateway and REST faults: the client recovers, and nothing dispatched meanwhile is lost. */
final class GatewayFaultTest {

    private static Change.GatewayReady awaitReady(Harness h, boolean resumed, String notSession) {
        return h.discord.next(Change.GatewayReady.class,
                r -> r.resumed() == resumed && !r.sessionId().equals(notSession), Duration.ofSeconds(20)).block();
    }

    private static Change.GatewayReady firstReady(Harness h) {
        return h.discord.next(Change.GatewayReady.class, r -> !r.resumed(), Harness.WAIT).block();
    }

    @Test
    @Timeout(30)
    void aDroppedConnectionResumesAndTheMissedDispatchesArrive() {
        try (Harness h = Harness.start()) {
            String session = firstReady(h).sessionId();
            assertThat(h.discord.dropGatewayConnections()).isEqualTo(1);
            // Injected while no connection is open: only a RESUME replay can deliver these.
            String first = h.discord.userMessage(FakeUser.OWNER, h.ids.mainChannelId(), "missed one");
            String second = h.discord.userMessage(FakeUser.FRIEND, h.ids.mainChannelId(), "missed two");

            assertThat(h.discord.next(Change.GatewayReady.class, Change.GatewayReady::resumed, Duration.ofSeconds(20))
                    .block().sessionId()).isEqualTo(session);
            assertThat(h.await(MessageCreateEvent.class, e -> e.getMessage().getId().asString().equals(first))
                    .getMessage().getContent()).isEqualTo("missed one");
            assertThat(h.await(MessageCreateEvent.class, e -> e.getMessage().getId().asString().equals(second))
                    .getMessage().getContent()).isEqualTo("missed two");
            assertThat(h.discord.gatewayConnections()).isEqualTo(1);
        }
    }

    @Test
    @Timeout(30)
    void opSevenAndResumableOpNineLeadToResumes() {
        try (Harness h = Harness.start()) {
            String session = firstReady(h).sessionId();
            h.discord.sendReconnect();
            h.discord.next(Change.GatewayReady.class, Change.GatewayReady::resumed, Duration.ofSeconds(20)).block();
            String afterReconnect = h.discord.userMessage(FakeUser.OWNER, h.ids.mainChannelId(), "after op 7");
            assertThat(h.await(MessageCreateEvent.class,
                    e -> e.getMessage().getId().asString().equals(afterReconnect))).isNotNull();

            h.discord.sendInvalidSession(true);
            assertThat(h.discord.changes().ofType(Change.GatewayReady.class).filter(Change.GatewayReady::resumed)
                    .take(2).last().block(Duration.ofSeconds(20)).sessionId()).isEqualTo(session);
            String afterInvalid = h.discord.userMessage(FakeUser.OWNER, h.ids.mainChannelId(), "after op 9");
            assertThat(h.await(MessageCreateEvent.class,
                    e -> e.getMessage().getId().asString().equals(afterInvalid))).isNotNull();
        }
    }

    @Test
    @Timeout(40)
    void aNonResumableOpNineLeadsToANewIdentify() {
        try (Harness h = Harness.start()) {
            String session = firstReady(h).sessionId();
            h.discord.sendInvalidSession(false);
            // Discord4J waits 2-3 s, then its identify limiter holds IDENTIFY until 6 s after the previous one.
            String fresh = awaitReady(h, false, session).sessionId();
            assertThat(fresh).isNotEqualTo(session);
            String after = h.discord.userMessage(FakeUser.OWNER, h.ids.mainChannelId(), "after identify");
            assertThat(h.await(MessageCreateEvent.class, e -> e.getMessage().getId().asString().equals(after)))
                    .isNotNull();
        }
    }

    @Test
    @Timeout(40)
    void aShareOf500sIsRetriedByDiscord4jAndLatencyIsAdded() {
        try (Harness h = Harness.start()) {
            TextChannel main = h.gateway.getChannelById(Snowflake.of(h.ids.mainChannelId()))
                    .ofType(TextChannel.class).block(Harness.WAIT);
            h.discord.failRoute(FakeRoutes.CREATE_MESSAGE, 0.5);
            Message message = main.createMessage("despite a 500").block(Duration.ofSeconds(30));
            assertThat(message.getContent()).isEqualTo("despite a 500");
            assertThat(h.discord.requestCounts()).containsEntry(FakeRoutes.CREATE_MESSAGE, 2L);
            assertThat(h.discord.messages(h.ids.mainChannelId())).hasSize(1);

            h.discord.clearFaults();
            h.discord.delayRoute(FakeRoutes.GET_CHANNEL, Duration.ofMillis(400));
            Instant start = Instant.now();
            h.rest().getChannelService().getChannel(Long.parseLong(h.ids.otherChannelId())).block(Harness.WAIT);
            assertThat(Duration.between(start, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }
    }
}
