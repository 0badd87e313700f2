package dev.claudebridge.core.port;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * What the core tells the operations side as it happens (docs/architecture.md §3.12). Plain calls without a thread, user
 * or channel in them: whatever records them cannot tag by those even by mistake. Implementations must be cheap and
 * must not block (they are called from turn and process-exit paths).
 */
public interface SessionMetrics {

    /** Which limit refused a session (docs/operations.md, "Sessions refused at a limit"). */
    enum Limit {
        /** {@code MAX_SESSIONS_PER_USER}: the user already has that many active sessions. */
        PER_USER,
        /** {@code MAX_LIVE_CLIS}: every CLI slot is taken by a session in a turn, none idle to stop. */
        LIVE_CLIS
    }

    /** How a permission request ended: the agent's outcome, or {@link #TIMED_OUT} when nobody answered in time. */
    String TIMED_OUT = "timed_out";

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

        @Override
        public void storeWriteFailed() {
        }

        @Override
        public void sessionRefused(Limit limit) {
        }

        @Override
        public void replyShown(Duration lag) {
        }

        @Override
        public void permissionOver(String outcome, Duration waited) {
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

    /** A write to the session store failed (the session went on; what it wrote is missing until its next write). */
    void storeWriteFailed();

    /** A user was refused a session, or a session a CLI, because of {@code limit}. */
    void sessionRefused(Limit limit);

    /**
     * A live reply's update reached the chat: {@code lag} is how long the oldest change it shows had waited, from the
     * agent's event to the platform's answer.
     */
    void replyShown(Duration lag);

    /**
     * A permission request ended, {@code waited} after it was shown.
     *
     * @param outcome the lower-case name of {@link AgentPermission.Outcome}, or {@link #TIMED_OUT}
     */
    void permissionOver(String outcome, Duration waited);
}
