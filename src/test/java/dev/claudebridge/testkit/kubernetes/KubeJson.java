package dev.claudebridge.testkit.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** One shared mapper, and the two time formats the API server and the kubelet write. */
final class KubeJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** metav1.Time in JSON: RFC 3339 in UTC, whole seconds ({@code 2026-12-06T02:34:00Z}). */
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    /**
     * The kubelet's {@code timestamps=true} prefix: always nine fraction digits, {@code Z} (its
     * {@code timeFormatOut = "2006-01-02T15:04:05.000000000Z07:00"}, unlike RFC3339Nano, does not trim zeros).
     */
    private static final DateTimeFormatter NANOS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private KubeJson() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static String time(Instant t) {
        return SECONDS.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    static String logTime(Instant t) {
        return NANOS.format(t);
    }

    static ObjectNode parseObject(String body) {
        try {
            JsonNode node = MAPPER.readTree(body == null ? "" : body);
            if (node instanceof ObjectNode o) {
                return o;
            }
        } catch (IOException e) {
            throw KubeError.badRequest("the body of the request was in an unknown format: " + e.getMessage());
        }
        throw KubeError.badRequest("the body of the request was in an unknown format");
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
