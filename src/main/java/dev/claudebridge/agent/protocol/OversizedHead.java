package dev.claudebridge.agent.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What can be read from the head of a line too long to keep: its top-level string fields, by Jackson's streaming
 * parser, which reads until the head runs out. A pattern search would also find a nested {@code "type"}, and could
 * not tell a line whose own {@code type} comes after a long field: 2.1.332 writes a {@code result} with
 * {@code "type":"result"} after the {@code "result"} text (docs/cli-protocol.md), so an oversized result's head has no
 * type at all. Such a line is still recognized by the result's own top-level fields.
 */
final class OversizedHead {

    private static final JsonFactory JSON = new JsonFactory();

    private final Map<String, String> strings = new HashMap<>();
    private boolean resultFields;

    private OversizedHead(String head) {
        try (JsonParser parser = JSON.createParser(head)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            int depth = 1;
            String field = null;
            JsonToken token;
            while (depth > 0 && (token = parser.nextToken()) != null) {
                switch (token) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> depth--;
                    case FIELD_NAME -> {
                        if (depth == 1) {
                            field = parser.currentName();
                            resultFields |= field.equals("total_cost_usd") || field.equals("num_turns")
                                    || field.equals("duration_api_ms");
                        }
                    }
                    case VALUE_STRING -> {
                        if (depth == 1 && field != null) {
                            strings.putIfAbsent(field, parser.getText());
                        }
                    }
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            // The head ends mid-value: everything before it has been read.
        }
    }

    static OversizedHead of(String head) {
        return new OversizedHead(head);
    }

    /** The line's type: its own top-level {@code type}, else {@code result} when it has a result's fields. */
    String type() {
        return Optional.ofNullable(strings.get("type")).orElse(resultFields ? "result" : "unknown");
    }

    Optional<String> field(String name) {
        return Optional.ofNullable(strings.get(name));
    }
}
