package dev.claudebridge.testkit.recorder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The kind of a stdout line, as scenario steps wait for it ("result", "control_request:can_use_tool",
 * "control_response:req_2_lab", "system:init", "stream_event:message_start", ...). Our own control responses are
 * keyed by request id, because that is the one thing that is the same in every run.
 */
final class Kinds {

    private Kinds() {
    }

    static String of(JsonNode line) {
        String type = line.path("type").asText("");
        return switch (type) {
            case "control_response" -> type + ":" + line.path("response").path("request_id").asText("");
            case "control_request" -> type + ":" + line.path("request").path("subtype").asText("");
            case "system" -> type + ":" + line.path("subtype").asText("");
            case "stream_event" -> type + ":" + line.path("event").path("type").asText("");
            default -> type;
        };
    }

    /** Stream events follow the fake's pacing rather than the CLI's logic, so derived steps never wait for them. */
    static boolean isAnchor(String kind) {
        return !kind.startsWith("stream_event:");
    }
}
