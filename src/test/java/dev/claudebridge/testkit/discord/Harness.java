package dev.claudebridge.testkit.discord;

import dev.claudebridge.testkit.FakeDiscord;
import discord4j.core.GatewayDiscordClient;
import discord4j.core.event.EventDispatcher;
import discord4j.core.event.domain.Event;
import discord4j.gateway.intent.Intent;
import discord4j.gateway.intent.IntentSet;
import discord4j.rest.RestClient;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;
import java.util.function.Predicate;

/**
 * A fake Discord plus a real Discord4J client logged in to it. Events replay to late subscribers, so a test can
 * act first and then await the event without racing the dispatcher.
 */
final class Harness implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final IntentSet WITH_CONTENT = IntentSet.nonPrivileged().or(IntentSet.of(Intent.MESSAGE_CONTENT));

    /** Discord4J's only symptom of a payload missing a required field: one WARN from this logger. */
    private static final String PAYLOAD_READER = "discord4j.gateway.payload.JacksonPayloadReader";

    final FakeDiscord discord;
    final GatewayDiscordClient gateway;
    final FakeIds ids;
    private final ListAppender<ILoggingEvent> decodeErrors;

    private Harness(FakeDiscord discord, GatewayDiscordClient gateway, ListAppender<ILoggingEvent> decodeErrors) {
        this.discord = discord;
        this.gateway = gateway;
        this.ids = discord.ids();
        this.decodeErrors = decodeErrors;
    }

    static Harness start() {
        return start(FakeDiscordSettings.defaults(), WITH_CONTENT);
    }

    static Harness start(FakeDiscordSettings settings, IntentSet intents) {
        FakeDiscord discord = FakeDiscord.start(settings);
        ListAppender<ILoggingEvent> decodeErrors = new ListAppender<>();
        decodeErrors.start();
        ((Logger) LoggerFactory.getLogger(PAYLOAD_READER)).addAppender(decodeErrors);
        try {
            GatewayDiscordClient gateway = discord.client().gateway()
                    .setEnabledIntents(intents)
                    .setEventDispatcher(EventDispatcher.replayingWithSize(512))
                    .login()
                    .block(WAIT);
            return new Harness(discord, gateway, decodeErrors);
        } catch (RuntimeException e) {
            discord.close();
            throw e;
        }
    }

    RestClient rest() {
        return gateway.getRestClient();
    }

    <E extends Event> E await(Class<E> type, Predicate<? super E> matches) {
        return gateway.on(type).filter(matches).next().block(WAIT);
    }

    /** Logs out, stops the fake, and fails if Discord4J dropped any payload of ours as undecodable. */
    @Override
    public void close() {
        try {
            gateway.logout().block(WAIT);
        } finally {
            discord.close();
            ((Logger) LoggerFactory.getLogger(PAYLOAD_READER)).detachAppender(decodeErrors);
        }
        List<String> dropped = decodeErrors.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        if (!dropped.isEmpty()) {
            throw new AssertionError("Discord4J could not decode payloads of the fake: " + dropped);
        }
    }
}
