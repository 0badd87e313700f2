package dev.claudebridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Deflater;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * For the AOT cache's training run only ({@link Training}): a Discord on 127.0.0.1 that answers just what the bot's
 * start-up asks, so the training logs in, gets READY and the guild, and reads and writes the slash commands the way
 * a real start does, and the cache holds those classes too. It is no Discord for anything else: one guild, made-up
 * ids ({@code training/discord.json}), everything else a 404.
 */
final class TrainingDiscord implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/api/v10";

    private final DisposableServer server;

    private TrainingDiscord(DisposableServer server) {
        this.server = server;
    }

    static TrainingDiscord start() {
        JsonNode payloads = payloads();
        AtomicReference<JsonNode> commands = new AtomicReference<>(JSON.createArrayNode());
        AtomicLong ids = new AtomicLong(500_000_000_000_000_000L);
        AtomicReference<String> gatewayUrl = new AtomicReference<>();
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .get(API + "/gateway", (req, res) -> json(res, JSON.createObjectNode()
                                .put("url", gatewayUrl.get())))
                        .get(API + "/gateway/bot", (req, res) -> {
                            ObjectNode bot = JSON.createObjectNode().put("url", gatewayUrl.get()).put("shards", 1);
                            bot.putObject("session_start_limit").put("total", 1000).put("remaining", 1000)
                                    .put("reset_after", 0).put("max_concurrency", 1);
                            return json(res, bot);
                        })
                        .get(API + "/oauth2/applications/@me", (req, res) -> json(res, payloads.get("applicationInfo")))
                        .get(API + "/applications/{app}/guilds/{guild}/commands",
                                (req, res) -> json(res, commands.get()))
                        .put(API + "/applications/{app}/guilds/{guild}/commands", (req, res) -> req.receive()
                                .aggregate().asString().flatMap(body -> {
                                    ArrayNode stored = registered(body, req, ids);
                                    commands.set(stored);
                                    return Mono.from(json(res, stored));
                                }))
                        .ws("/gateway", (in, out) -> {
                            Sinks.Many<String> send = Sinks.many().unicast().onBackpressureBuffer();
                            Deflater zlib = new Deflater();
                            AtomicLong seq = new AtomicLong();
                            send.tryEmitNext(payload(10, JSON.createObjectNode().put("heartbeat_interval", 45_000),
                                    null, null));
                            Mono<Void> inbound = in.receive().asString().doOnNext(text -> {
                                JsonNode p = read(text);
                                switch (p.path("op").asInt()) {
                                    case 1 -> send.tryEmitNext(payload(11, null, null, null));
                                    case 2 -> {
                                        send.tryEmitNext(payload(0, payloads.get("ready"), seq.incrementAndGet(),
                                                "READY"));
                                        send.tryEmitNext(payload(0, payloads.get("guildCreate"),
                                                seq.incrementAndGet(), "GUILD_CREATE"));
                                    }
                                    default -> { }
                                }
                            }).doFinally(s -> send.tryEmitComplete()).then();
                            Publisher<WebSocketFrame> frames = send.asFlux().map(text -> compressed(zlib, text))
                                    .doFinally(s -> zlib.end());
                            return Mono.when(inbound, out.sendObject(frames).then());
                        })
                        .route(req -> true, (req, res) -> res.status(404).sendString(Mono.just(
                                "{\"message\": \"Unknown\", \"code\": 0}"))))
                .bindNow();
        gatewayUrl.set("ws://127.0.0.1:" + server.port() + "/gateway");
        return new TrainingDiscord(server);
    }

    /** The API base URL the bot's {@code DISCORD_API_BASE_URL} points at. */
    String apiBaseUrl() {
        return "http://127.0.0.1:" + server.port() + API;
    }

    @Override
    public void close() {
        server.disposeNow();
    }

    /** The commands as Discord stores them: with ids, the application, a version and the guild. */
    private static ArrayNode registered(String body, HttpServerRequest req, AtomicLong ids) {
        ArrayNode stored = JSON.createArrayNode();
        for (JsonNode command : read(body)) {
            ObjectNode copy = command.deepCopy();
            copy.put("id", String.valueOf(ids.incrementAndGet())).put("application_id", req.param("app"))
                    .put("version", String.valueOf(ids.incrementAndGet())).put("guild_id", req.param("guild"));
            if (!copy.has("type")) {
                copy.put("type", 1);
            }
            stored.add(copy);
        }
        return stored;
    }

    private static Publisher<Void> json(HttpServerResponse res, JsonNode body) {
        return res.header("Content-Type", "application/json").sendString(Mono.just(body.toString()));
    }

    private static String payload(int op, JsonNode d, Long seq, String type) {
        ObjectNode p = JSON.createObjectNode().put("op", op);
        p.set("d", d);
        if (seq == null) {
            p.putNull("s");
        } else {
            p.put("s", seq);
        }
        p.put("t", type);
        return p.toString();
    }

    /**
     * Discord's zlib-stream: one deflate context per connection, each payload flushed with SYNC_FLUSH, so it ends with
     * {@code 00 00 FF FF}, which is how Discord4J finds where a payload ends.
     */
    private static WebSocketFrame compressed(Deflater zlib, String text) {
        zlib.setInput(text.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int written;
        do {
            written = zlib.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, written);
        } while (written == buffer.length);
        return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(out.toByteArray()));
    }

    private static JsonNode read(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode payloads() {
        try (InputStream in = TrainingDiscord.class.getResourceAsStream("/training/discord.json")) {
            if (in == null) {
                throw new IllegalStateException("training/discord.json is missing from the jar");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
