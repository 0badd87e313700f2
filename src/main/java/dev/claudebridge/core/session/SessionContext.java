package dev.claudebridge.core.session;

import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.port.SessionStore;
import java.time.Clock;
import java.util.function.BooleanSupplier;
import reactor.core.scheduler.Scheduler;

/**
 * What every session of the bot shares, whatever its chat platform: the agent runtime and the store, settings, the
 * clock and the scheduler its timeouts run on (both replaced in tests, so time is the test's), what it reports to
 * the metrics, and whether the bot is draining (then no prompt starts and no CLI starts: they wait in the stored
 * inbox for the next run).
 */
record SessionContext(AgentRuntime runtime, SessionStore store, SessionSettings settings,
        Clock clock, Scheduler timers, StoreHealth storeHealth, CliBudget budget, java.util.function.Consumer<ThreadSession> onStateChange,
        SessionMetrics metrics, BooleanSupplier draining, Dormancy dormancy) {

    /** {@code MAX_LIVE_CLIS}: a session asks before it starts a CLI, and says when its CLI is gone. */
    interface CliBudget {
        /** True when the session may start a CLI now (room was made if needed). */
        reactor.core.publisher.Mono<Boolean> reserve(ThreadSession session);

        void release(ThreadSession session);
    }

    /**
     * Sessions without a live CLI are not all kept in memory: an idle one goes dormant (its record stays in the
     * registry and the store) and is made again when addressed.
     */
    interface Dormancy {
        /** The session has gone dormant: from now on its thread maps to this record until addressed. */
        void slept(ThreadSession session, SessionStore.SessionRecord record);

        /**
         * The session now serving a dormant session's thread (made from its record if need be), for a message that
         * reached the dormant one through a reference taken before it slept.
         */
        java.util.Optional<ThreadSession> successor(ThreadSession dormant);
    }
}
