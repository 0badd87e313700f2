package dev.claudebridge.discord;

import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.session.Prompt;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.ThreadSession;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/** What every new session does first: a header in its thread, its CLI started, its first prompt offered. */
final class SessionStarter {

    private static final Logger log = LoggerFactory.getLogger(SessionStarter.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private final ChatPlatform chat;
    private final SessionRegistry sessions;

    SessionStarter(ChatPlatform chat, SessionRegistry sessions) {
        this.chat = chat;
        this.sessions = sessions;
    }

    /** A thread name from the prompt's first line, else a time stamp; 1-100 characters as Discord wants. */
    static String title(String prompt, Clock clock) {
        String line = prompt == null ? "" : prompt.strip().lines().findFirst().orElse("").strip();
        if (line.isEmpty()) {
            return "Session " + STAMP.format(clock.instant());
        }
        return line.codePointCount(0, line.length()) <= 100 ? line
                : line.substring(0, line.offsetByCodePoints(0, 99)) + "…";
    }

    boolean underLimit(String userId) {
        return sessions.activeOf(userId).size() < sessions.settings().maxSessionsPerUser();
    }

    Mono<Void> refuseLimit(String channelId, String userId) {
        return chat.post(channelId, ChatPlatform.OutgoingMessage.text("🚫 <@" + userId + ">, you already have "
                        + sessions.settings().maxSessionsPerUser()
                        + " active sessions (MAX_SESSIONS_PER_USER). Stop one with /stop first."))
                .then();
    }

    Mono<Void> begin(ThreadSession session, Optional<Prompt> first) {
        ThreadSession.Identity id = session.identity();
        String header = "🧵 Claude Code session for <@" + id.ownerId() + "> · directory `" + id.workDir() + "`"
                + id.model().map(m -> " · model `" + m + "`").orElse("")
                + "\nMessages here are prompts; /stop ends the session.";
        return chat.post(id.threadId(), ChatPlatform.OutgoingMessage.text(header))
                .then(session.warmUp())
                .onErrorResume(e -> {
                    log.warn("[T:{}] the CLI did not start: {}", id.threadId(), e.toString());
                    return chat.post(id.threadId(), ChatPlatform.OutgoingMessage.text(
                            "💥 The Claude CLI could not be started: " + e.getMessage())).then();
                })
                .then(Mono.fromRunnable(() -> first.ifPresent(p -> offer(session, p))));
    }

    void offer(ThreadSession session, Prompt prompt) {
        ThreadSession.Offer offer = session.offer(prompt);
        if (offer == ThreadSession.Offer.REFUSED_ENDED) {
            chat.post(session.identity().threadId(), ChatPlatform.OutgoingMessage.text(
                            "This session has ended. Start a new one with /new."))
                    .subscribe(null, e -> log.debug("reply failed: {}", e.toString()));
        }
    }
}
