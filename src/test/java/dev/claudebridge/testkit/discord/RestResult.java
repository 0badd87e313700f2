package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** A REST answer: status, JSON body (null for 204), and extra headers. */
record RestResult(int status, JsonNode body, Map<String, String> headers) {

    static RestResult ok(JsonNode body) {
        return new RestResult(200, body, new LinkedHashMap<>());
    }

    static RestResult created(JsonNode body) {
        return new RestResult(201, body, new LinkedHashMap<>());
    }

    static RestResult noContent() {
        return new RestResult(204, null, new LinkedHashMap<>());
    }

    static RestResult error(DiscordError error) {
        return new RestResult(error.status(), error.body(), new LinkedHashMap<>());
    }

    RestResult withHeaders(Map<String, String> extra) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.putAll(extra);
        return new RestResult(status, body, all);
    }
}
