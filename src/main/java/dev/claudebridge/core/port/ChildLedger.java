package dev.claudebridge.core.port;

import java.time.Instant;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The agent processes started and not yet ended, kept where a crash cannot lose them, so that the next run can stop
 * the ones a crashed run left behind. The agent adapter writes it; the store keeps it (an adapter never imports
 * another: this port is how the agent adapter reaches persistence). Every method is non-blocking for its caller.
 */
public interface ChildLedger {

    /** A process was started (pid and OS start time identify it across a crash). Replaces an entry of the same pid. */
    Mono<Void> started(Child child);

    /** The process of {@code pid} ended (or was stopped as a leftover); unknown pids are ignored. */
    Mono<Void> ended(long pid);

    /** Every process started and not yet ended, oldest first. */
    Flux<Child> all();

    /**
     * One agent process.
     *
     * @param platform  the chat platform of the session it serves
     * @param threadId  the session's thread
     * @param startedAt when the OS started it, as the OS reports it
     */
    record Child(String platform, String threadId, long pid, Instant startedAt) {
    }

    /** Keeps nothing: for an agent runtime that has no process of its own to find again. */
    ChildLedger NONE = new ChildLedger() {
        @Override
        public Mono<Void> started(Child child) {
            return Mono.empty();
        }

        @Override
        public Mono<Void> ended(long pid) {
            return Mono.empty();
        }

        @Override
        public Flux<Child> all() {
            return Flux.empty();
        }
    };
}
