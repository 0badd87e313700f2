package dev.claudebridge.core.session;

import java.time.Instant;
import java.util.Optional;

/**
 * A user's prompt for a session.
 *
 * @param messageId the chat message it came from, to mark it queued; empty for a command's prompt
 */
public record Prompt(String text, String authorId, Optional<String> messageId, Instant receivedAt) {
}
