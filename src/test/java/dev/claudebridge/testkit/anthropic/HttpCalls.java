package dev.claudebridge.testkit.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/** A plain HTTP client for the fake, used from the JUnit thread (so waiting with a timeout is fine). */
final class HttpCalls {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    record Response(int status, String requestId, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The SSE body as events; each event's {@code event:} name is checked against its {@code type}. */
        List<JsonNode> events() {
            List<JsonNode> events = new ArrayList<>();
            for (String frame : body.split("\n\n")) {
                if (frame.isBlank()) {
                    continue;
                }
                String[] lines = frame.split("\n");
                if (lines.length != 2 || !lines[0].startsWith("event: ") || !lines[1].startsWith("data: ")) {
                    throw new AssertionError("not an SSE frame: " + frame);
                }
                try {
                    JsonNode data = JSON.readTree(lines[1].substring("data: ".length()));
                    if (!data.path("type").asText().equals(lines[0].substring("event: ".length()))) {
                        throw new AssertionError("event name differs from data.type: " + frame);
                    }
                    events.add(data);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return events;
        }
    }

    private HttpCalls() {}

    /** A Messages API body as the CLI would send it, with one user prompt. */
    static ObjectNode messagesBody(String prompt, boolean stream) {
        ObjectNode body = JSON.createObjectNode().put("model", "claude-opus-4-8").put("max_tokens", 1000)
                .put("stream", stream);
        ObjectNode user = body.putArray("messages").addObject().put("role", "user");
        user.putArray("content").addObject().put("type", "text").put("text", prompt);
        return body;
    }

    static Response post(String baseUrl, String path, JsonNode body) {
        return call(HttpMethod.POST, baseUrl + path, body.toString());
    }

    static Response call(HttpMethod method, String url, String body) {
        return HttpClient.create()
                .request(method)
                .uri(url)
                .send(body == null ? Mono.empty() : ByteBufFlux.fromString(Mono.just(body)))
                .responseSingle((res, content) -> content.asString().defaultIfEmpty("")
                        .map(text -> new Response(res.status().code(), res.responseHeaders().get("request-id"),
                                res.responseHeaders().get("content-type"), text)))
                .block(TIMEOUT);
    }
}
