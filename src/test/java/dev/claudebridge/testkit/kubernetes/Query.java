package dev.claudebridge.testkit.kubernetes;

import java.util.List;
import java.util.Map;

/** A request's decoded query, read as the API server reads its parameters. */
record Query(Map<String, List<String>> params) {

    String first(String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    List<String> all(String name) {
        return params.getOrDefault(name, List.of());
    }

    /** A boolean parameter: Go's strconv.ParseBool truths ({@code true}, {@code 1}, {@code t}, ...). */
    boolean flag(String name) {
        String v = first(name);
        return v != null && (v.equals("1") || v.equalsIgnoreCase("t") || v.equalsIgnoreCase("true"));
    }
}
