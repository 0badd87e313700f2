package dev.claudebridge.core.port;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * What the core tells the operations side as it happens (docs/architecture.md §3.12). Plain calls without a thread, user
 * or channel in them: whatever records them cannot tag by those even by mistake. Implementations must be cheap and
 * must not block (they are called from turn and process-exit paths).
 */
public interface SessionMetrics {

    /** Records nothing: for tests and tools that wire the core without an ops side. */
    SessionMetrics NONE = new SessionMetrics() {
        @Override
        public void turnEnded(String outcome, Duration took, BigDecimal costUsd, long tokensIn, long tokensOut) {
        }

        @Override
        public void cliStarted() {
        }

        @Override
        public void cliDied() {
        }

        @Override
        public void cliSettingsIgnored() {
        }
    };

    /**
     * A turn ended.
     *
     * @param outcome one of {@code ok}, {@code error}, {@code interrupted}, {@code died} (as stored with the turn)
     */
    void turnEnded(String outcome, Duration took, BigDecimal costUsd, long tokensIn, long tokensOut);

    /** A CLI process was started for a session. */
    void cliStarted();

    /** A CLI exited without the bot asking it to (the session became {@code dead}). */
    void cliDied();

    /** A CLI said on stderr that it ignored settings (e.g. allow rules of a workspace it does not trust). */
    void cliSettingsIgnored();
}
