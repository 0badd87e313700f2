package dev.claudebridge.testkit.kubernetes;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One request the fake received, as a test asserts on it: when, the method, the path, the decoded query, and
 * whether it asked for a WebSocket (a watch, attach or exec: a {@code GET} with {@code Upgrade: websocket}).
 */
public record KubeRequest(Instant at, String method, String path, Map<String, List<String>> query,
        boolean websocket) {

    /** The first value of a query parameter, or null. */
    public String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public String toString() {
        return method + " " + path + (query.isEmpty() ? "" : " " + query) + (websocket ? " (websocket)" : "");
    }
}
