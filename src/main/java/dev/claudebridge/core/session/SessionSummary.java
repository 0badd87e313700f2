package dev.claudebridge.core.session;

import dev.claudebridge.core.port.SessionStore;
import java.time.Instant;

/**
 * What a listing shows of a session, whether it is in memory or dormant (only its record kept): {@code /sessions}
 * and {@code /continue} read these, and make a session again only for the one they act on.
 */
public record SessionSummary(String platform, String threadId, String title, String ownerId, SessionState state,
        Instant createdAt, Instant lastActivity, Totals totals) {

    static SessionSummary of(SessionStore.SessionRecord r) {
        return new SessionSummary(r.platform(), r.threadId(), r.title(), r.ownerId(), SessionState.valueOf(r.state()),
                r.createdAt(), r.lastActivity(), new Totals(r.promptsAnswered(), r.tokensIn(), r.tokensOut(),
                        r.costUsd()));
    }
}
