package dev.claudebridge.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.claudebridge.core.inbound.IncomingFile;
import dev.claudebridge.support.Downloads;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Mattermost's REST API v4 over Reactor Netty, non-blocking: every request carries the bot's token, waits for the
 * {@link RateBudget}, and a 429 is tried again after the server's wait ({@link #MAX_429_RETRIES} times). Any other
 * non-2xx answer is a {@link MattermostApiException} with the server's error id.
 */
final class MattermostApi {
    private static final Logger log = LoggerFactory.getLogger(MattermostApi.class);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_429_RETRIES = 5;

    private final HttpClient http;
    private final String api;
    private final RateBudget budget;

    /**
     * @param serverUrl the server's URL ({@code MATTERMOST_URL}), without {@code /api/v4}
     */
    MattermostApi(HttpClient http, String serverUrl, String token, RateBudget budget) {
        this.api = serverUrl.replaceAll("/+$", "") + "/api/v4";
        this.budget = budget;
        this.http = http.headers(h -> h.set("Authorization", "Bearer " + token)
                        .set("X-Requested-With", "XMLHttpRequest"))
                .responseTimeout(Duration.ofSeconds(30));
    }

    RateBudget budget() {
        return budget;
    }

    Mono<JsonNode> get(String path) {
        return call(HttpMethod.GET, path, null, null);
    }

    Mono<JsonNode> post(String path, JsonNode body) {
        return call(HttpMethod.POST, path, bytes(body), "application/json");
    }

    Mono<JsonNode> put(String path, JsonNode body) {
        return call(HttpMethod.PUT, path, bytes(body), "application/json");
    }

    Mono<JsonNode> delete(String path) {
        return call(HttpMethod.DELETE, path, null, null);
    }

    /**
     * A file's bytes ({@code GET /files/{id}}), within the rate budget, cut off past {@code maxBytes}
     * ({@link IncomingFile.TooLarge}).
     */
    Mono<byte[]> download(String path, long maxBytes) {
        return budget.permit().then(Downloads.get(http, api + path, maxBytes))
                .onErrorMap(Downloads.TooLarge.class, e -> new IncomingFile.TooLarge(e.received()));
    }

    /** A file to upload. */
    record Upload(String name, byte[] content) {
    }

    /** {@code POST /files}: the files for one channel in one multipart body; gives the answer's file ids. */
    Mono<List<String>> upload(String channelId, List<Upload> files) {
        // Not UUID.randomUUID(): SecureRandom reads /dev/urandom, a blocking call on a non-blocking thread.
        String boundary = "----claude-bridge-" + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        part(body, boundary, "Content-Disposition: form-data; name=\"channel_id\"", channelId.getBytes(StandardCharsets.UTF_8));
        for (Upload f : files) {
            part(body, boundary, "Content-Disposition: form-data; name=\"files\"; filename=\""
                    + f.name().replace("\"", "_") + "\"\r\nContent-Type: application/octet-stream", f.content());
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return call(HttpMethod.POST, "/files", body.toByteArray(), "multipart/form-data; boundary=" + boundary)
                .map(answer -> {
                    List<String> ids = new java.util.ArrayList<>();
                    answer.path("file_infos").forEach(i -> ids.add(i.path("id").asText()));
                    return ids;
                });
    }

    private static void part(ByteArrayOutputStream body, String boundary, String headers, byte[] content) {
        body.writeBytes(("--" + boundary + "\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }

    private Mono<JsonNode> call(HttpMethod method, String path, byte[] body, String contentType) {
        return attempt(method, path, body, contentType, 0);
    }

    private Mono<JsonNode> attempt(HttpMethod method, String path, byte[] body, String contentType, int tries) {
        String what = method.name() + " " + path;
        HttpClient client = contentType == null ? http : http.headers(h -> h.set("Content-Type", contentType));
        return budget.permit().then(client.request(method).uri(api + path)
                .send(body == null ? Mono.empty() : Mono.just(Unpooled.wrappedBuffer(body)))
                .responseSingle((response, content) -> content.asByteArray().defaultIfEmpty(new byte[0])
                        .map(bytes -> {
                            budget.learn(response.responseHeaders());
                            int status = response.status().code();
                            if (status == 429) {
                                return new Answer(status, null, budget.refused(response.responseHeaders()));
                            }
                            JsonNode json = parse(bytes);
                            if (status / 100 != 2) {
                                throw new MattermostApiException(what, status, json.path("id").asText(""),
                                        json.path("message").asText(""));
                            }
                            return new Answer(status, json, Duration.ZERO);
                        })))
                .flatMap(answer -> {
                    if (answer.json != null) {
                        return Mono.just(answer.json);
                    }
                    if (tries >= MAX_429_RETRIES) {
                        return Mono.error(new MattermostApiException(what, 429, "", "rate limited"));
                    }
                    log.atInfo().addKeyValue("request", what).log("rate limited; trying again in {}", answer.delay);
                    return attempt(method, path, body, contentType, tries + 1);
                });
    }

    /** An answer: JSON, or a 429 with how long the server asked to wait. */
    private record Answer(int status, JsonNode json, Duration delay) {
    }

    private static JsonNode parse(byte[] bytes) {
        if (bytes.length == 0) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    private static byte[] bytes(JsonNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
