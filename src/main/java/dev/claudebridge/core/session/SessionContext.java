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
        SessionMetrics metrics, BooleanSupplier draining) {

    /** {@code MAX_LIVE_CLIS}: a session asks before it starts a CLI, and says when its CLI is gone. */
    interface CliBudget {
        /** True when the session may start a CLI now (room was made if needed). */
        reactor.core.publisher.Mono<Boolean> reserve(ThreadSession session);

        void release(ThreadSession session);
    }
}
