package dev.claudebridge.core.session;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A user's prompt for a session.
 *
 * @param messageId the chat message it came from, to mark it queued; empty for a command's prompt
 * @param images    images attached to it, saved in the session's working directory (paths relative to it): read
 *                  again when its turn starts and shown to the model; the text names them too
 */
public record Prompt(String text, String authorId, Optional<String> messageId, Instant receivedAt,
        List<String> images) {

    public Prompt {
        images = List.copyOf(images);
    }

    /** A prompt without images. */
    public Prompt(String text, String authorId, Optional<String> messageId, Instant receivedAt) {
        this(text, authorId, messageId, receivedAt, List.of());
    }
}
