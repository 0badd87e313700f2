package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One matched REST request: its path parameters, query, and body, either JSON or multipart (a
 * {@code payload_json} part plus files).
 */
record RestCall(Map<String, String> params, Map<String, List<String>> query, JsonNode json, List<Attachment> files) {

    static RestCall of(Map<String, String> params, Map<String, List<String>> query, String contentType,
                       byte[] body, Snowflakes snowflakes) {
        if (!Multipart.isMultipart(contentType)) {
            return new RestCall(params, query, Json.parse(body), List.of());
        }
        JsonNode json = NullNode.getInstance();
        List<Attachment> files = new ArrayList<>();
        for (Multipart.Part part : Multipart.parse(contentType, body)) {
            if ("payload_json".equals(part.name())) {
                json = Json.parse(new String(part.data(), StandardCharsets.UTF_8));
            } else if (part.filename() != null) {
                files.add(new Attachment(snowflakes.next(), part.filename(), part.contentType(), part.data()));
            }
        }
        return new RestCall(params, query, json, List.copyOf(files));
    }

    String param(String name) {
        return params.get(name);
    }

    String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The JSON body, or an empty object when there was none (PUT without body, GET). */
    JsonNode body() {
        return json == null || json.isNull() || json.isMissingNode() ? Json.object() : json;
    }
}
