package dev.claudebridge.core.inbound;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import dev.claudebridge.core.session.Texts;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Questions the bot asked one user with components (a /new confirmation, a /stop picker), open until answered or
 * until {@code ttl} passes. An expired one is gone: a late click is refused, and its message is edited to say so
 * (through {@link Reply#expired()}). Without this they would live forever, and a click days later would act.
 */
final class Choices<T> {

    private record Open<T>(String ownerId, T payload, Sinks.One<String> expiry) {
    }

    private final Map<String, Open<T>> open = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Scheduler timer;

    Choices(Duration ttl, Scheduler timer) {
        this.ttl = ttl;
        this.timer = timer;
    }

    /** Opens a choice; the Mono gives the expiry text if it expires unanswered, nothing if it is answered. */
    Mono<String> open(String key, String ownerId, T payload) {
        Sinks.One<String> expiry = Sinks.one();
        open.put(key, new Open<>(ownerId, payload, expiry));
        Mono.delay(ttl, timer).subscribe(tick -> {
            Open<T> gone = open.remove(key);
            if (gone != null) {
                gone.expiry().tryEmitValue(Texts.EXPIRED);
            }
        });
        return expiry.asMono();
    }

    /** The choice's payload when it is open and {@code userId} owns it (it is then closed); else empty. */
    Optional<T> take(String key, String userId) {
        Open<T> choice = open.get(key);
        if (choice == null || !choice.ownerId().equals(userId) || !open.remove(key, choice)) {
            return Optional.empty();
        }
        choice.expiry().tryEmitEmpty();
        return Optional.of(choice.payload());
    }

    int size() {
        return open.size();
    }
}
