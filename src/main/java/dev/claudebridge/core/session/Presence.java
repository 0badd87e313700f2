package dev.claudebridge.core.session;

import java.util.Collection;

/**
 * The bot's presence from all sessions' states (docs/architecture.md §3.7).
 *
 * @param status online, idle or dnd
 * @param text   the activity text
 */
public record Presence(String status, String text) {

    public static Presence of(Collection<SessionState> states) {
        long active = states.stream().filter(SessionState::active).count();
        long running = states.stream().filter(s -> s == SessionState.RUNNING).count();
        long awaiting = states.stream().filter(s -> s == SessionState.AWAITING_PERMISSION).count();
        if (active == 0) {
            return new Presence("online", "Ready");
        }
        if (awaiting > 0) {
            // A turn waiting for approval is still a running turn.
            return new Presence("dnd", awaiting + " awaiting approval · " + (running + awaiting) + " running");
        }
        if (running > 0) {
            return new Presence("dnd", "Working on " + running);
        }
        return new Presence("idle", active + (active == 1 ? " session" : " sessions"));
    }
}
