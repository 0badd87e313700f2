package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One accepted edit: the message as it was right after the edit, and when (by the fake's clock). */
public record MessageEdit(Instant at, String content, JsonNode embeds, JsonNode components) {
}
