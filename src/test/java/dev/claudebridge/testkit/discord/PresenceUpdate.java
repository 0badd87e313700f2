package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One gateway op 3 (or the presence inside IDENTIFY), as the bot sent it.
 *
 * @param at         when the fake received it, by the fake's clock
 * @param status     online, idle, dnd, invisible or offline
 * @param activities the {@code activities} array as sent
 */
public record PresenceUpdate(Instant at, String status, JsonNode activities) {

    /** The first activity's text: its {@code state} for a custom status (type 4), else its {@code name}. */
    public String activityText() {
        if (activities == null || activities.isEmpty()) {
            return "";
        }
        JsonNode first = activities.get(0);
        JsonNode state = first.get("state");
        if (first.path("type").asInt() == 4 && state != null && !state.isNull()) {
            return state.asText();
        }
        return first.path("name").asText("");
    }
}
