package dev.claudebridge.testkit.kubernetes;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One request the fake received, as a test asserts on it: the method, the raw path, the decoded query and when.
 * A WebSocket upgrade (a watch, attach, exec) is a {@code GET} like the client sends it.
 */
public record KubeRequest(Instant at, String method, String path, Map<String, List<String>> query) {

    /** The first value of a query parameter, or null. */
    public String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public String toString() {
        return method + " " + path + (query.isEmpty() ? "" : " " + query);
    }
}
