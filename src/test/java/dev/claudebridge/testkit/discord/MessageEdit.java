package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/**
 * One accepted edit: the message as it was right after the edit, and when (by the fake's clock).
 *
 * @param allowedMentions the edit request's own {@code allowed_mentions}, empty when the request had none (the
 *                        message then keeps the one it had)
 */
public record MessageEdit(Instant at, String content, JsonNode embeds, JsonNode components,
        Optional<JsonNode> allowedMentions) {
}
