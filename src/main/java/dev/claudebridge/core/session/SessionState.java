package dev.claudebridge.core.session;

/** The states of docs/architecture.md §3.5. */
public enum SessionState {
    STARTING, IDLE, RUNNING, AWAITING_PERMISSION, DEAD, STOPPED, ENDED,
    /** Its stored record could not be restored after a restart: final, said in its thread. */
    FAILED;

    /** Active sessions count against limits and show in presence and /status. */
    public boolean active() {
        return this == STARTING || this == IDLE || this == RUNNING || this == AWAITING_PERMISSION;
    }

    public String label() {
        return name().toLowerCase().replace('_', ' ');
    }
}
