package dev.claudebridge.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.claudebridge.testkit.anthropic.Conversation;
import dev.claudebridge.testkit.anthropic.MessageStream;
import dev.claudebridge.testkit.anthropic.ScriptFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A scripted Anthropic Messages API for the real {@code claude} CLI (point {@code ANTHROPIC_BASE_URL} at
 * {@link #baseUrl()}). Rules are tried in the order they were added; the first whose {@link Match} accepts the
 * request and whose {@link Reply#times} budget is not used up answers. A messages request no rule matches is
 * answered with a text naming the prompt and recorded in {@link #unmatchedPrompts()}; any path other than
 * {@code HEAD/GET /}, {@code POST /v1/messages} and {@code POST /v1/messages/count_tokens} gets a 404 and is
 * recorded in {@link #unmatchedPaths()}. Everything runs on Reactor Netty's event loop and Reactor's parallel
 * scheduler; nothing blocks (BlockHound checks this in every test). See docs/fake-anthropic-api.md.
 */
public final class FakeAnthropicApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FakeAnthropicApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Sinks.EmitFailureHandler RETRY_CONCURRENT =
            Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1));

    private final List<RuleState> rules = new CopyOnWriteArrayList<>();
    private final List<RecordedRequest> messages = new CopyOnWriteArrayList<>();
    private final List<RecordedRequest> all = new CopyOnWriteArrayList<>();
    private final List<String> unmatchedPaths = new CopyOnWriteArrayList<>();
    private final List<String> unmatchedPrompts = new CopyOnWriteArrayList<>();
    private final List<RecordedRequest> cancelled = new CopyOnWriteArrayList<>();
    private final Queue<SentTextDelta> sentTextDeltas = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requestCount = new AtomicInteger();
    private final AtomicInteger messageCount = new AtomicInteger();
    private final AtomicInteger toolCount = new AtomicInteger();
    private final Sinks.Many<RecordedRequest> requestSink = Sinks.many().replay().all();
    // Logging writes to a stream, which BlockHound rightly calls blocking on an event loop: hand lines over.
    private final Sinks.Many<String> logSink = Sinks.many().unicast().onBackpressureBuffer();
    private final Disposable logger;
    private final DisposableServer server;

    private FakeAnthropicApi(int port) {
        this.logger = logSink.asFlux().publishOn(Schedulers.boundedElastic()).subscribe(LOG::info);
        this.server = HttpServer.create().host("127.0.0.1").port(port).handle(this::handle).bindNow();
    }

    /** On a free port of 127.0.0.1. */
    public static FakeAnthropicApi start() {
        return start(0);
    }

    public static FakeAnthropicApi start(int port) {
        return new FakeAnthropicApi(port);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.port();
    }

    /** Adds a rule after the existing ones (first match wins). */
    public FakeAnthropicApi on(Match match, Reply reply) {
        rules.add(new RuleState(rules.size() + 1, match, reply));
        return this;
    }

    /** Adds the rules of a script file (docs/fake-anthropic-api.md), after the existing ones. */
    public FakeAnthropicApi script(Path file) throws IOException {
        ScriptFile.read(file).forEach(r -> on(r.match(), r.reply()));
        return this;
    }

    /** Every {@code POST /v1/messages} request, in arrival order. */
    public List<RecordedRequest> requests() {
        return List.copyOf(messages);
    }

    /** Every request of any path (HEAD /, count_tokens, 404s included), in arrival order. */
    public List<RecordedRequest> allRequests() {
        return List.copyOf(all);
    }

    /** "METHOD uri" of each request answered 404. Tests assert this is empty. */
    public List<String> unmatchedPaths() {
        return List.copyOf(unmatchedPaths);
    }

    /** The newest user text (or a description of its tool results) of each messages request no rule matched. */
    public List<String> unmatchedPrompts() {
        return List.copyOf(unmatchedPrompts);
    }

    /** Streamed messages requests whose client went away before message_stop (an interrupt, a killed CLI). */
    public List<RecordedRequest> cancelled() {
        return List.copyOf(cancelled);
    }

    /**
     * A {@code text_delta} as it left the fake model: the request id ({@code req_fake_N}), the delta's text, and when
     * it was handed to the streamed response after its pacing delay, by the system clock ({@link Instant#now()},
     * the clock {@code FakeDiscord} uses by default, so the two can be compared).
     */
    public record SentTextDelta(String requestId, String text, Instant at) {
    }

    /** Every streamed {@code text_delta} so far, in the order they left (benchmarks time visible lag with it). */
    public List<SentTextDelta> sentTextDeltas() {
        return List.copyOf(sentTextDeltas);
    }

    /** {@code POST /v1/messages} requests: replays those already received, then the new ones as they arrive. */
    public Flux<RecordedRequest> requestStream() {
        return requestSink.asFlux();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
        requestSink.emitComplete(RETRY_CONCURRENT);
        logSink.emitComplete(RETRY_CONCURRENT);
        logger.dispose();
    }

    private Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res) {
        String method = req.method().name();
        String uri = req.uri();
        Map<String, String> headers = new LinkedHashMap<>();
        req.requestHeaders().forEach(h -> headers.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(),
                (a, b) -> a + ", " + b));
        return req.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                .flatMap(raw -> dispatch(method, uri, headers, parse(raw), res));
    }

    private Mono<Void> dispatch(String method, String uri, Map<String, String> headers, JsonNode body,
                                HttpServerResponse res) {
        int n = requestCount.incrementAndGet();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        boolean post = method.equals("POST");
        if ((method.equals("HEAD") || method.equals("GET")) && path.equals("/")) {
            // The CLI probes the base URL before its first call; any 2xx will do.
            record(new RecordedRequest(n, method, uri, headers, body, "root"));
            return res.status(200).header("content-type", "text/plain").send().then();
        }
        if (post && path.equals("/v1/messages/count_tokens")) {
            record(new RecordedRequest(n, method, uri, headers, body, "count_tokens"));
            // A rough estimate (4 characters a token); the CLI shows it in /context only.
            int tokens = Math.max(1, body.toString().length() / 4);
            return json(res, 200, "req_fake_ct_" + n, JSON.createObjectNode().put("input_tokens", tokens));
        }
        if (post && path.equals("/v1/messages")) {
            return messages(n, uri, headers, body, res);
        }
        record(new RecordedRequest(n, method, uri, headers, body, "404"));
        unmatchedPaths.add(method + " " + uri);
        return json(res, 404, "req_fake_404_" + n, MessageStream.error(404, "Not found (fake): " + method + " " + uri,
                "req_fake_404_" + n));
    }

    private Mono<Void> messages(int n, String uri, Map<String, String> headers, JsonNode body,
                                HttpServerResponse res) {
        int m = messageCount.incrementAndGet();
        String requestId = "req_fake_" + m;
        String messageId = String.format(Locale.ROOT, "msg_%03d", m);
        String model = body.path("model").asText("claude-opus-4-8");
        RuleState rule = rules.stream().filter(r -> r.match.test(body) && r.take()).findFirst().orElse(null);
        Reply reply;
        String ruleName;
        if (rule == null) {
            String prompt = describe(body);
            unmatchedPrompts.add(prompt);
            reply = Reply.text("FakeAnthropicApi: no rule matched the prompt: " + prompt);
            ruleName = "unmatched";
        } else {
            reply = rule.reply;
            ruleName = "rule " + rule.number + " " + rule.match;
        }
        RecordedRequest recorded = new RecordedRequest(n, "POST", uri, headers, body, ruleName);
        record(recorded);
        messages.add(recorded);
        emitSerially(requestSink, recorded);
        if (reply.isError()) {
            return json(res, reply.errorStatus(), requestId,
                    MessageStream.error(reply.errorStatus(), reply.errorMessage(), requestId));
        }
        List<String> toolIds = new ArrayList<>();
        reply.blocks().stream().filter(Block.ToolUse.class::isInstance)
                .forEach(b -> toolIds.add(String.format(Locale.ROOT, "toolu_%03d", toolCount.incrementAndGet())));
        if (!body.path("stream").asBoolean(false)) {
            return json(res, 200, requestId, MessageStream.message(reply, messageId, model, toolIds));
        }
        Flux<String> events = MessageStream.sse(MessageStream.events(reply, messageId, model, toolIds),
                        reply.tokensPerSecond(), e -> recordTextDelta(requestId, e))
                .doOnCancel(() -> {
                    cancelled.add(recorded);
                    log(requestId + " cancelled by the client (interrupt?)");
                });
        return res.status(200)
                .header("content-type", "text/event-stream; charset=utf-8")
                .header("cache-control", "no-cache")
                .header("request-id", requestId)
                .sendString(events, StandardCharsets.UTF_8)
                .then();
    }

    private void recordTextDelta(String requestId, MessageStream.Event e) {
        JsonNode delta = e.data().path("delta");
        if (delta.path("type").asText("").equals("text_delta")) {
            sentTextDeltas.add(new SentTextDelta(requestId, delta.path("text").asText(), Instant.now()));
        }
    }

    private void record(RecordedRequest r) {
        all.add(r);
        log("#" + r.index() + " " + r.method() + " " + r.path() + (r.model().isEmpty() ? "" : " model=" + r.model())
                + (r.stream() ? " stream" : "") + " -> " + r.rule()
                + (r.rule().startsWith("rule") || r.rule().equals("unmatched") ? " | " + abbreviate(describe(r.body()))
                : ""));
    }

    private void log(String line) {
        emitSerially(logSink, "fake-anthropic " + line);
    }

    /**
     * Requests arrive on several event-loop threads at once, and a sink takes one emission at a time: emitting under
     * the sink's lock keeps a busy loop from giving up on a loaded machine (seen with ten CLIs on two cores).
     */
    private static <T> void emitSerially(Sinks.Many<T> sink, T value) {
        synchronized (sink) {
            sink.emitNext(value, RETRY_CONCURRENT);
        }
    }

    private static Mono<Void> json(HttpServerResponse res, int status, String requestId, JsonNode body) {
        return res.status(status)
                .header("content-type", "application/json")
                .header("request-id", requestId)
                .sendString(Mono.just(body.toString()), StandardCharsets.UTF_8)
                .then();
    }

    private static JsonNode parse(String raw) {
        if (raw.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(raw);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /** What a rule would look at: the newest user text, else its tool results. */
    private static String describe(JsonNode body) {
        String text = Conversation.newestUserText(body);
        if (!text.isEmpty()) {
            return text;
        }
        List<Conversation.ToolResult> results = Conversation.newestToolResults(body);
        if (!results.isEmpty()) {
            return results.stream().map(r -> "tool_result(" + r.toolName() + "): " + r.content())
                    .collect(Collectors.joining("; "));
        }
        return "(no user text; model " + body.path("model").asText("?") + ")";
    }

    private static String abbreviate(String s) {
        String flat = s.replace('\n', ' ');
        return flat.length() <= 120 ? flat : flat.substring(0, 117) + "...";
    }

    /** A rule and what is left of its {@link Reply#times} budget. */
    private static final class RuleState {
        final int number;
        final Match match;
        final Reply reply;
        final AtomicInteger left;

        RuleState(int number, Match match, Reply reply) {
            this.number = number;
            this.match = match;
            this.reply = reply;
            this.left = new AtomicInteger(reply.times() == 0 ? Integer.MAX_VALUE : reply.times());
        }

        boolean take() {
            return left.getAndUpdate(v -> v > 0 && v != Integer.MAX_VALUE ? v - 1 : v) > 0;
        }
    }

    /** Standalone: {@code --port N} (default 8089) {@code --script file.json}; runs until killed. */
    public static void main(String[] args) throws IOException {
        int port = 8089;
        Path script = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--script" -> script = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("usage: FakeAnthropicApi [--port N] [--script file.json]");
            }
        }
        FakeAnthropicApi api = start(port);
        if (script != null) {
            api.script(script);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(api::close, "fake-anthropic-shutdown"));
        System.out.println("FakeAnthropicApi listening on " + api.baseUrl() + " with " + api.rules.size()
                + " rules; ANTHROPIC_BASE_URL=" + api.baseUrl());
        api.server.onDispose().block();
    }
}
