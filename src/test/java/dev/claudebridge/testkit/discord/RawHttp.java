package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/** Plain HTTP against the fake, for exact status codes, headers and bodies (no Discord4J in between). */
final class RawHttp {
    record Response(int status, HttpHeaders headers, JsonNode body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final HttpClient client;

    RawHttp(int port, String token) {
        this.client = HttpClient.create().baseUrl("http://127.0.0.1:" + port)
                .headers(h -> {
                    if (token != null) {
                        h.set("Authorization", "Bot " + token);
                    }
                });
    }

    Response send(String method, String path, String json) {
        return client.headers(h -> h.set("Content-Type", "application/json"))
                .request(HttpMethod.valueOf(method)).uri(path)
                .send(json == null ? ByteBufFlux.empty() : ByteBufFlux.fromString(Mono.just(json)))
                .responseSingle((response, body) -> body.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                        .map(text -> new Response(response.status().code(), response.responseHeaders(),
                                text.isEmpty() ? Json.object() : Json.parse(text))))
                .block(Duration.ofSeconds(10));
    }
}
