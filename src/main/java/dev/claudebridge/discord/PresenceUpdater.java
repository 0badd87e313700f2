package dev.claudebridge.discord;

import dev.claudebridge.core.session.Presence;
import discord4j.core.GatewayDiscordClient;
import discord4j.core.object.presence.ClientActivity;
import discord4j.core.object.presence.ClientPresence;
import discord4j.core.object.presence.Status;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Sends the bot's presence: only changes, at most one update per {@code PRESENCE_MIN_INTERVAL}, the latest state
 * winning (Discord allows 5 status updates per 20 s and Discord4J does not enforce it).
 */
final class PresenceUpdater {

    private PresenceUpdater() {
    }

    static Mono<Void> run(Flux<Presence> presence, GatewayDiscordClient gateway, Duration minInterval) {
        AtomicReference<Presence> sent = new AtomicReference<>();
        return presence
                .distinctUntilChanged()
                .onBackpressureLatest()
                .concatMap(p -> p.equals(sent.get()) ? Mono.empty()
                        : gateway.updatePresence(toDiscord(p))
                                .doOnSuccess(v -> sent.set(p))
                                .onErrorResume(e -> Mono.empty())
                                .then(Mono.delay(minInterval))
                                .then(), 1)
                .then();
    }

    static ClientPresence toDiscord(Presence p) {
        ClientActivity activity = ClientActivity.custom(p.text());
        return switch (p.status()) {
            case OPEN -> ClientPresence.of(Status.IDLE, activity);
            case WORKING -> ClientPresence.of(Status.DO_NOT_DISTURB, activity);
            case READY -> ClientPresence.of(Status.ONLINE, activity);
        };
    }
}
