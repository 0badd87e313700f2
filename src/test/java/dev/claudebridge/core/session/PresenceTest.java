package dev.claudebridge.core.session;

import static dev.claudebridge.core.session.SessionState.AWAITING_PERMISSION;
import static dev.claudebridge.core.session.SessionState.DEAD;
import static dev.claudebridge.core.session.SessionState.ENDED;
import static dev.claudebridge.core.session.SessionState.IDLE;
import static dev.claudebridge.core.session.SessionState.RUNNING;
import static dev.claudebridge.core.session.SessionState.STARTING;
import static dev.claudebridge.core.session.SessionState.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The table of docs/architecture.md §3.7, row by row. */
final class PresenceTest {

    @Test
    void noActiveSessionIsReady() {
        assertThat(Presence.of(List.of())).isEqualTo(new Presence(Presence.Status.READY, "Ready"));
        assertThat(Presence.of(List.of(STOPPED, DEAD, ENDED))).isEqualTo(new Presence(Presence.Status.READY, "Ready"));
    }

    @Test
    void activeButNoneRunningIsIdleWithTheCount() {
        assertThat(Presence.of(List.of(IDLE))).isEqualTo(new Presence(Presence.Status.OPEN, "1 session"));
        assertThat(Presence.of(List.of(IDLE, STARTING, STOPPED))).isEqualTo(new Presence(Presence.Status.OPEN, "2 sessions"));
    }

    @Test
    void runningWithNoneAwaitingIsDoNotDisturb() {
        assertThat(Presence.of(List.of(RUNNING, RUNNING, IDLE))).isEqualTo(new Presence(Presence.Status.WORKING, "Working on 2"));
    }

    @Test
    void awaitingApprovalCountsAsRunningToo() {
        assertThat(Presence.of(List.of(AWAITING_PERMISSION, RUNNING, IDLE)))
                .isEqualTo(new Presence(Presence.Status.WORKING, "1 awaiting approval · 2 running"));
    }
}
