package dev.claudebridge.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code labelSelector} and {@code fieldSelector} as the API server parses them: comma-separated requirements, all
 * of which must hold. Labels: {@code k}, {@code !k}, {@code k=v}, {@code k==v}, {@code k!=v}, {@code k in (a,b)},
 * {@code k notin (a,b)} (fabric8's {@code withLabel}, {@code withoutLabel}, {@code withLabelIn}, ... send these).
 * Fields: {@code path=v}, {@code path==v}, {@code path!=v} on a dotted path ({@code metadata.name}: what fabric8's
 * {@code waitUntilCondition} and informers on one object send).
 */
final class Selector {
    private Selector() {
    }

    static Predicate<JsonNode> labels(String selector) {
        Predicate<JsonNode> all = o -> true;
        if (selector == null || selector.isBlank()) {
            return all;
        }
        for (String part : split(selector)) {
            Predicate<JsonNode> one = label(part.trim());
            all = all.and(one);
        }
        return all;
    }

    static Predicate<JsonNode> fields(String selector) {
        Predicate<JsonNode> all = o -> true;
        if (selector == null || selector.isBlank()) {
            return all;
        }
        for (String part : split(selector)) {
            String p = part.trim();
            int ne = p.indexOf("!=");
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw KubeError.badRequest("invalid field selector: " + selector);
            }
            boolean negate = ne > 0 && ne < eq;
            String path = p.substring(0, negate ? ne : eq).trim();
            String value = p.substring(p.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
            Predicate<JsonNode> one = o -> value.equals(at(o, path));
            all = all.and(negate ? one.negate() : one);
        }
        return all;
    }

    private static Predicate<JsonNode> label(String p) {
        if (p.startsWith("!")) {
            String key = p.substring(1).trim();
            return o -> !o.path("metadata").path("labels").has(key);
        }
        String[] words = p.split("\\s+", 3);
        if (words.length == 3 && (words[1].equals("in") || words[1].equals("notin"))) {
            String list = words[2].trim();
            if (!list.startsWith("(") || !list.endsWith(")")) {
                throw KubeError.badRequest("unable to parse requirement: " + p);
            }
            Set<String> values = Set.of(list.substring(1, list.length() - 1).trim().split("\\s*,\\s*"));
            String key = words[0];
            if (words[1].equals("in")) {
                return o -> values.contains(labelValue(o, key));
            }
            return o -> !values.contains(labelValue(o, key));
        }
        int ne = p.indexOf("!=");
        if (ne > 0) {
            String key = p.substring(0, ne).trim();
            String value = p.substring(ne + 2).trim();
            return o -> !value.equals(labelValue(o, key));
        }
        int eq = p.indexOf('=');
        if (eq > 0) {
            String key = p.substring(0, eq).trim();
            String value = p.substring(p.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
            return o -> value.equals(labelValue(o, key));
        }
        return o -> o.path("metadata").path("labels").has(p);
    }

    private static String labelValue(JsonNode o, String key) {
        JsonNode v = o.path("metadata").path("labels").get(key);
        return v == null ? null : v.asText();
    }

    private static String at(JsonNode o, String path) {
        JsonNode n = o;
        for (String step : path.split("\\.")) {
            n = n.path(step);
        }
        return n.isMissingNode() || n.isNull() ? "" : n.asText();
    }

    /** Splits on commas outside parentheses ({@code a in (x,y),b=c}). */
    private static List<String> split(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }
}
