package dev.claudebridge.testkit.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The shape of one transcript: how many lines of each kind, which field paths each kind has, which stderr lines
 * (numbers, ids and paths blanked), and optionally the shape of the API requests. Values never count, except the
 * ones that name a kind (type, subtype, event type, delta type, content block type).
 */
record Shapes(Map<String, Integer> kinds, Map<String, Set<String>> fields, Set<String> stderr,
              Map<String, Integer> requestKinds, Map<String, Set<String>> requestFields) {

    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    static Shapes of(Path dir, String name, boolean requests) throws IOException {
        Map<String, Integer> kinds = new TreeMap<>();
        Map<String, Set<String>> fields = new TreeMap<>();
        Path stdout = dir.resolve(name + ".jsonl");
        if (Files.exists(stdout)) {
            for (String line : Files.readAllLines(stdout, StandardCharsets.UTF_8)) {
                JsonNode obj;
                try {
                    obj = Scenario.JSON.readTree(line);
                } catch (IOException e) {
                    obj = null;
                }
                String kind = obj != null && obj.isObject() ? kind(obj) : "(not json)";
                kinds.merge(kind, 1, Integer::sum);
                if (obj != null && obj.isObject()) {
                    paths(obj, "", fields.computeIfAbsent(kind, k -> new TreeSet<>()));
                }
            }
        }
        Set<String> stderr = new TreeSet<>();
        Path err = dir.resolve(name + ".stderr.txt");
        if (Files.exists(err)) {
            for (String line : Files.readAllLines(err, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    stderr.add(blank(line));
                }
            }
        }
        Map<String, Integer> requestKinds = new TreeMap<>();
        Map<String, Set<String>> requestFields = new TreeMap<>();
        Path req = dir.resolve(name + ".requests.jsonl");
        if (requests && Files.exists(req)) {
            for (String line : Files.readAllLines(req, StandardCharsets.UTF_8)) {
                JsonNode r = Scenario.JSON.readTree(line);
                String path = r.path("path").asText();
                String kind = r.path("method").asText() + " " + (path.contains("?") ? path.substring(0, path.indexOf('?')) : path)
                        + (r.hasNonNull("model") ? " model=" + r.path("model").asText() : "");
                requestKinds.merge(kind, 1, Integer::sum);
                Set<String> f = requestFields.computeIfAbsent(kind, k -> new TreeSet<>());
                r.path("headers").fieldNames().forEachRemaining(h -> f.add("header " + h));
                for (String beta : r.path("headers").path("anthropic-beta").asText("").split(",")) {
                    if (!beta.isBlank()) {
                        f.add("beta " + beta.trim());
                    }
                }
                r.path("tool_names").forEach(t -> f.add("tool " + t.asText()));
                paths(r.path("other_fields"), "body", f);
                paths(r.path("messages"), "body.messages", f);
            }
        }
        return new Shapes(kinds, fields, stderr, requestKinds, requestFields);
    }

    /** type, plus the subtype or inner type that tells events apart. */
    static String kind(JsonNode o) {
        String type = o.path("type").asText("");
        return switch (type) {
            case "system", "result" -> type + ":" + o.path("subtype").asText("");
            case "control_request" -> type + ":" + o.path("request").path("subtype").asText("");
            case "control_response" -> type + ":" + o.path("response").path("subtype").asText("");
            case "stream_event" -> {
                JsonNode e = o.path("event");
                String t = e.path("type").asText("");
                if (e.has("delta") && e.path("delta").has("type")) {
                    t += "/" + e.path("delta").path("type").asText();
                } else if (e.has("content_block")) {
                    t += "/" + e.path("content_block").path("type").asText();
                }
                yield type + ":" + t;
            }
            case "assistant", "user" -> {
                JsonNode c = o.path("message").path("content");
                yield type + ":" + (c.isArray() && !c.isEmpty() ? c.get(0).path("type").asText() : c.isTextual() ? "string" : "-");
            }
            default -> type;
        };
    }

    /**
     * Field paths such as {@code .message.content[].input.command}. Keys that are data rather than names (model ids,
     * paths, question texts, uuids) become {@code *}, so that a renamed model is not a new field.
     */
    static void paths(JsonNode node, String prefix, Set<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                String key = PLAIN_KEY.matcher(e.getKey()).matches() ? e.getKey() : "*";
                String p = prefix + "." + key;
                out.add(p);
                paths(e.getValue(), p, out);
            });
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                paths(item, prefix + "[]", out);
            }
        }
    }

    /** A stderr line without what changes from run to run. */
    static String blank(String line) {
        String s = UUID.matcher(line).replaceAll("<uuid>");
        s = s.replaceAll("/[^\\s\"':]+", "<path>").replaceAll("\\d+", "#");
        return s.length() > 160 ? s.substring(0, 160) + "…" : s;
    }

    static List<String> names(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".jsonl") && !f.endsWith(".annotated.jsonl") && !f.endsWith(".requests.jsonl"))
                    .map(f -> f.substring(0, f.length() - ".jsonl".length()))
                    .sorted().toList();
        }
    }
}
