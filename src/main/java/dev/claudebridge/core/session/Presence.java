package dev.claudebridge.core.session;

import java.util.Collection;

/**
 * The bot's presence from all sessions' states (docs/architecture.md §3.7).
 *
 * @param status how busy the bot is, in the core's words; each platform shows it its own way (Discord: online, idle,
 *               do not disturb)
 * @param text   the activity text
 */
public record Presence(Status status, String text) {

    public enum Status {
        /** No active session. */
        READY,
        /** Sessions are open, none is working. */
        OPEN,
        /** A turn runs or waits for an approval. */
        WORKING
    }

    public static Presence of(Collection<SessionState> states) {
        long active = states.stream().filter(SessionState::active).count();
        long running = states.stream().filter(s -> s == SessionState.RUNNING).count();
        long awaiting = states.stream().filter(s -> s == SessionState.AWAITING_PERMISSION).count();
        if (active == 0) {
            return new Presence(Status.READY, "Ready");
        }
        if (awaiting > 0) {
            // A turn waiting for approval is still a running turn.
            return new Presence(Status.WORKING, awaiting + " awaiting approval · " + (running + awaiting) + " running");
        }
        if (running > 0) {
            return new Presence(Status.WORKING, "Working on " + running);
        }
        return new Presence(Status.OPEN, active + (active == 1 ? " session" : " sessions"));
    }
}
