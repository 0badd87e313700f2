package dev.claudebridge.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.util.retry.Retry;

/**
 * Mattermost's WebSocket ({@code /api/v4/websocket}) as a stream of events, over Reactor Netty. The token goes in
 * the upgrade's {@code Authorization} header, not in an {@code authentication_challenge}: the server looks a
 * reconnecting connection up only when the upgrade itself is authenticated ({@code api4/websocket.go}), so only
 * then does a reconnect with {@code connection_id} and {@code sequence_number} get the events it missed replayed.
 * A dropped socket is reconnected with backoff (from {@link #MIN_BACKOFF} to {@link #MAX_BACKOFF}), forever. When
 * the server answers a reconnect with a {@code hello} of another connection id it no longer had the missed events:
 * {@link Gap} says so, and the caller fetches them over REST. Events whose sequence number is not the next one make
 * it reconnect from the number it expected, as Mattermost's own client does.
 *
 * <p>Used by the inbound side (next slice); one subscription at a time.
 */
public final class MattermostSocket {
    private static final Logger log = LoggerFactory.getLogger(MattermostSocket.class);
    static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** What the socket says. */
    public sealed interface Signal {
    }

    /** One event: {@code posted}, {@code post_edited}, {@code reaction_added}, {@code hello}, ... */
    public record Event(String type, JsonNode data, JsonNode broadcast, long seq) implements Signal {
        /** {@code posted} and {@code post_edited} carry the post as a JSON string; here it is parsed. */
        public JsonNode post() {
            return parse(data.path("post").asText("{}"));
        }
    }

    /** The server did not keep what was sent while the socket was down: catch up over REST. */
    public record Gap(String newConnectionId) implements Signal {
    }

    private final HttpClient http;
    private final String url;
    // Touched by one socket's event loop at a time (sockets follow one another), on several threads over time.
    private volatile String connectionId = "";
    private volatile long nextSeq;
    private volatile boolean open;

    /**
     * @param serverUrl {@code MATTERMOST_URL}, http(s); the socket is the same host with ws(s)
     */
    public MattermostSocket(HttpClient http, String serverUrl, String token) {
        this.url = serverUrl.replaceAll("/+$", "").replaceFirst("^http", "ws") + "/api/v4/websocket";
        this.http = http.headers(h -> h.set("Authorization", "Bearer " + token));
    }

    /**
     * Whether a connection is up now: a fresh one from its {@code hello} until it drops; a resumed one from its
     * upgrade (the server sends no {@code hello} when it resumes a connection it still holds: only the missed events).
     */
    public boolean open() {
        return open;
    }

    /** The events, across reconnects, until cancelled. */
    public Flux<Signal> signals() {
        return Flux.defer(this::once)
                .concatWith(Mono.error(new IOException("websocket closed")))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, MIN_BACKOFF).maxBackoff(MAX_BACKOFF)
                        .transientErrors(true)
                        .doBeforeRetry(r -> log.atInfo().log("websocket reconnecting after {}",
                                r.failure().toString())));
    }

    private Flux<Signal> once() {
        String query = connectionId.isEmpty() ? ""
                : "?connection_id=" + connectionId + "&sequence_number=" + nextSeq;
        return http.websocket(WebsocketClientSpec.builder().maxFramePayloadLength(1 << 22).build())
                .uri(url + query)
                .handle((in, out) -> {
                    open = !connectionId.isEmpty();
                    return in.receive().asString().concatMap(this::read);
                })
                .doFinally(signal -> open = false);
    }

    private Flux<Signal> read(String text) {
        JsonNode frame = parse(text);
        if (frame.has("seq_reply") || !frame.has("event")) {
            return Flux.empty(); // a reply to an action; the bot sends none
        }
        Event event = new Event(frame.path("event").asText(), frame.path("data"), frame.path("broadcast"),
                frame.path("seq").asLong(-1));
        Flux<Signal> before = Flux.empty();
        if (event.type().equals("hello")) {
            String id = event.data().path("connection_id").asText("");
            if (!connectionId.isEmpty() && !id.equals(connectionId)) {
                before = Flux.just(new Gap(id));
            }
            if (!id.equals(connectionId)) {
                nextSeq = 0;
            }
            connectionId = id;
            open = true;
        }
        if (event.seq() != nextSeq) {
            return Flux.error(new IOException("websocket event " + event.seq() + " where " + nextSeq
                    + " was next"));
        }
        nextSeq = event.seq() + 1;
        return before.concatWith(Flux.just(event));
    }

    static JsonNode parse(String text) {
        try {
            return MattermostApi.JSON.readTree(text);
        } catch (IOException e) {
            return MattermostApi.JSON.createObjectNode();
        }
    }
}
