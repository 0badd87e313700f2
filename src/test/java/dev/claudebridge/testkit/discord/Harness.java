package dev.claudebridge.testkit.discord;

import dev.claudebridge.testkit.FakeDiscord;
import discord4j.core.DiscordClient;
import discord4j.core.DiscordClientBuilder;
import discord4j.core.GatewayDiscordClient;
import discord4j.core.event.EventDispatcher;
import discord4j.core.event.domain.Event;
import discord4j.gateway.intent.Intent;
import discord4j.gateway.intent.IntentSet;
import discord4j.rest.RestClient;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * A fake Discord plus a real Discord4J client logged in to it. Events replay to late subscribers, so a test can
 * act first and then await the event without racing the dispatcher.
 */
final class Harness implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final IntentSet WITH_CONTENT = IntentSet.nonPrivileged().or(IntentSet.of(Intent.MESSAGE_CONTENT));

    final FakeDiscord discord;
    final GatewayDiscordClient gateway;
    final FakeIds ids;

    private Harness(FakeDiscord discord, GatewayDiscordClient gateway) {
        this.discord = discord;
        this.gateway = gateway;
        this.ids = discord.ids();
    }

    static Harness start() {
        return start(FakeDiscordSettings.defaults(), WITH_CONTENT);
    }

    static Harness start(FakeDiscordSettings settings, IntentSet intents) {
        FakeDiscord discord = FakeDiscord.start(settings);
        try {
            GatewayDiscordClient gateway = client(discord).gateway()
                    .setEnabledIntents(intents)
                    .setEventDispatcher(EventDispatcher.replayingWithSize(512))
                    .login()
                    .block(WAIT);
            return new Harness(discord, gateway);
        } catch (RuntimeException e) {
            discord.close();
            throw e;
        }
    }

    /** Like {@code discord.client()}, with the shared pre-warmed Jackson setup (see {@link WarmJackson}). */
    static DiscordClient client(FakeDiscord discord) {
        return DiscordClientBuilder.create(discord.token()).setJacksonResources(WarmJackson.RESOURCES)
                .build(discord.router());
    }

    RestClient rest() {
        return gateway.getRestClient();
    }

    <E extends Event> E await(Class<E> type, Predicate<? super E> matches) {
        return gateway.on(type).filter(matches).next().block(WAIT);
    }

    @Override
    public void close() {
        try {
            gateway.logout().block(WAIT);
        } finally {
            discord.close();
        }
    }
}
