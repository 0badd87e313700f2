package dev.claudebridge.testkit.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.testkit.RecordedRequest;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes {@code NAME.requests.jsonl}: one line per request the fake API received, in arrival order. */
final class RequestLog {

    private static final int MAX_TEXT = 600;

    private RequestLog() {
    }

    /**
     * The requests the fake received, in the reference's summary form (model, sizes, the head of the system prompt,
     * the newest user text, the messages) plus what the reference lacked: headers, the other top-level body fields,
     * the tool names.
     */
    static void write(Path file, List<RecordedRequest> requests, Map<Integer, Double> times) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            for (RecordedRequest r : requests) {
                ObjectNode o = Scenario.JSON.createObjectNode().put("n", r.index());
                Double t = times.get(r.index());
                if (t != null) {
                    o.put("t", t);
                }
                o.put("method", r.method()).put("path", r.path()).put("rule", r.rule());
                ObjectNode headers = o.putObject("headers");
                new TreeMap<>(r.headers()).forEach(headers::put);
                JsonNode body = r.body();
                if (body.isObject()) {
                    o.put("model", body.path("model").asText(null));
                    o.put("stream", body.path("stream").asBoolean(false));
                    o.set("max_tokens", body.get("max_tokens"));
                    ArrayNode tools = o.putArray("tool_names");
                    body.path("tools").forEach(tool -> tools.add(tool.path("name").asText(tool.path("type").asText())));
                    o.put("n_tools", tools.size());
                    String system = body.path("system").toString();
                    o.put("system_len", system.length());
                    o.put("system_head", system.substring(0, Math.min(400, system.length())));
                    ObjectNode other = o.putObject("other_fields");
                    body.fields().forEachRemaining(e -> {
                        if (!List.of("system", "tools", "messages").contains(e.getKey())) {
                            other.set(e.getKey(), e.getValue());
                        }
                    });
                    o.put("latest_human_text", r.userText());
                    o.set("messages", truncated(body.path("messages").deepCopy()));
                }
                w.write(o.toString());
                w.write('\n');
            }
        }
    }

    /**
     * Long strings (the skills list in a system reminder, tool results) cut to their head, so that the files stay
     * small; the shape of the messages is kept.
     */
    private static JsonNode truncated(JsonNode node) {
        if (node instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode v = o.get(name);
                if (v.isTextual() && v.asText().length() > MAX_TEXT) {
                    o.put(name, v.asText().substring(0, MAX_TEXT) + "…[" + v.asText().length() + " chars]");
                } else {
                    truncated(v);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                JsonNode v = a.get(i);
                if (v.isTextual() && v.asText().length() > MAX_TEXT) {
                    a.set(i, a.textNode(v.asText().substring(0, MAX_TEXT) + "…[" + v.asText().length() + " chars]"));
                } else {
                    truncated(v);
                }
            }
        }
        return node;
    }

}
