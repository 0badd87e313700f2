package dev.claudebridge.agent.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.agent.process.CliChannel;
import dev.claudebridge.agent.process.ExitStatus;
import dev.claudebridge.agent.process.StdinClosedException;
import dev.claudebridge.agent.protocol.CliEvent;
import dev.claudebridge.agent.protocol.CliEventDecoder;
import dev.claudebridge.agent.protocol.CliMessages;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * One live {@code claude} process seen as a conversation: a hot stream of events, prompts whose turns end at their
 * {@code result}, the control path (interrupt, model, permission mode) and the CLI's permission requests.
 * <p>
 * All protocol bookkeeping happens in one stage of the event pipeline ({@link #track}), on one thread at a time,
 * before any subscriber sees the event: pending turns, our control requests and the CLI's permission requests.
 */
public final class ClaudeSession {

    private static final Logger log = LoggerFactory.getLogger(ClaudeSession.class);
    private static final Logger wire = LoggerFactory.getLogger("dev.claudebridge.agent.protocol.stdout");

    private final CliChannel process;
    private final CliMessages messages;
    private final CliEventDecoder decoder;
    private final Duration controlTimeout;
    private final Flux<CliEvent> events;
    private final Disposable keeper;
    private final ConcurrentLinkedDeque<Sinks.One<TurnResult>> turns = new ConcurrentLinkedDeque<>();
    private final Map<String, Sinks.One<JsonNode>> controls = new ConcurrentHashMap<>();
    private final Map<String, PermissionRequest> permissions = new ConcurrentHashMap<>();
    private final Sinks.Many<PermissionRequest> permissionSink = Sinks.many().multicast().onBackpressureBuffer();
    private final AtomicLong requestCounter = new AtomicLong();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Plans plans = new Plans(); // touched only in track()
    private volatile Optional<String> sessionId = Optional.empty();
    private volatile Optional<String> startupFailure = Optional.empty();
    // Cumulative figures of the last result of this process (PROTOCOL.md §9); written only in track().
    private volatile BigDecimal lastTotalCost = BigDecimal.ZERO;
    private volatile long lastTokensIn;
    private volatile long lastTokensOut;
    // A session adopted mid-turn (a restarted bot, a CLI that ran on): the permission requests its replayed output
    // holds wait, in track(), until the CLI's initialize answer says which of them are still open.
    private volatile boolean holding;
    private volatile String adoptionInit;
    private final List<CliEvent.CanUseTool> held = new java.util.ArrayList<>();
    private volatile Sinks.One<TurnResult> adoptedTurn;

    /** A process's cumulative figures as of its last result: what the next turn's own figures are counted from. */
    public record Figures(BigDecimal costUsd, long tokensIn, long tokensOut) {
    }

    ClaudeSession(CliChannel process, CliEventDecoder decoder, CliMessages messages, Duration controlTimeout) {
        this.process = process;
        this.messages = messages;
        this.decoder = decoder;
        this.controlTimeout = controlTimeout;
        // Decoding and bookkeeping leave NuProcess's pump thread at once: it serves every process.
        Flux<CliEvent> shared = process.stdout()
                .publishOn(Schedulers.parallel())
                .map(decoder::decode)
                .doOnNext(this::track)
                .publish()
                .autoConnect(0);
        // Keeps the pipeline flowing (and the bookkeeping running) when nobody else listens.
        // When stdout has ended and every line is tracked, the exit settles what is still waiting: a result
        // written just before the exit is counted first.
        this.keeper = shared.subscribe(e -> { },
                e -> log.error("{}: event pipeline failed", process.name(), e),
                () -> process.exit().subscribe(this::ended));
        this.events = shared;
    }

    /**
     * A session over a CLI that was running a turn when an earlier run of the bot left it; {@code figures} are the
     * process's figures when that turn began. Its output starts with {@link #resumeTurn()}.
     */
    static ClaudeSession adopted(CliChannel process, CliEventDecoder decoder, CliMessages messages,
            Duration controlTimeout, Figures figures) {
        ClaudeSession session = new ClaudeSession(process, decoder, messages, controlTimeout);
        session.lastTotalCost = figures.costUsd();
        session.lastTokensIn = figures.tokensIn();
        session.lastTokensOut = figures.tokensOut();
        session.holding = true;
        Sinks.One<TurnResult> turn = Sinks.one();
        session.turns.addLast(turn);
        session.adoptedTurn = turn;
        return session;
    }

    /**
     * For an {@link #adopted} session, once its events and permission requests are subscribed: its output is replayed
     * from where the earlier run stood, and {@code initialize} is sent again, whose answer lists the permission
     * requests still open (PROTOCOL.md §4.8, transcript 24): those are asked again, the others were answered before.
     * Ends with the adopted turn's result.
     */
    public Mono<TurnResult> resumeTurn() {
        Sinks.One<TurnResult> turn = adoptedTurn;
        if (turn == null) {
            return Mono.error(new IllegalStateException("not an adopted session"));
        }
        return Mono.defer(() -> {
            process.startOutput();
            control(messages.initialize(), id -> adoptionInit = id)
                    .subscribe(null, e -> log.info("{}: initialize after re-attaching failed: {}", process.name(),
                            e.toString()));
            return turn.asMono();
        });
    }

    public Figures figures() {
        return new Figures(lastTotalCost, lastTokensIn, lastTokensOut);
    }

    /** The events of this process from now on; completes when the CLI's stdout ends. */
    public Flux<CliEvent> events() {
        return events;
    }

    /** Each permission request, once, as it arrives. */
    public Flux<PermissionRequest> permissionRequests() {
        return permissionSink.asFlux();
    }

    public List<PermissionRequest> pendingPermissions() {
        return permissions.values().stream().filter(PermissionRequest::isOpen).toList();
    }

    /** The CLI's session id, known from the first {@code system/init}. */
    public Optional<String> sessionId() {
        return sessionId;
    }

    public CliChannel process() {
        return process;
    }

    public Mono<ExitStatus> exit() {
        return process.exit();
    }

    /** Whether a turn has been sent and has not ended. */
    public boolean turnRunning() {
        return !turns.isEmpty();
    }

    /** Sends a text prompt; the Mono ends with the turn's {@code result}, or fails if the CLI dies first. */
    public Mono<TurnResult> send(String text) {
        return sendLine(messages.userText(text));
    }

    public Mono<TurnResult> send(List<CliMessages.UserBlock> blocks) {
        return sendLine(messages.userBlocks(blocks));
    }

    private Mono<TurnResult> sendLine(String line) {
        return Mono.defer(() -> {
            Sinks.One<TurnResult> turn = Sinks.one();
            turns.addLast(turn); // before the write: the result may arrive before writeLine returns
            return process.writeLine(line)
                    .doOnError(e -> turns.remove(turn))
                    .onErrorResume(StdinClosedException.class, this::deathOr)
                    .then(turn.asMono());
        });
    }

    /** A write failed because stdin is gone: report the death (with status and stderr) when the CLI has died. */
    private <T> Mono<T> deathOr(StdinClosedException error) {
        return process.exit()
                .timeout(Duration.ofSeconds(5), Mono.empty())
                .flatMap(status -> Mono.<T>error(startupFailure.<RuntimeException>map(TurnFailedException::new)
                        .orElseGet(() -> new CliExitedException(status, process.stderrTail()))))
                .switchIfEmpty(Mono.error(error));
    }

    /** Sends {@code initialize}, as the SDKs do; fails when the CLI answers a start-up failure instead. */
    public Mono<JsonNode> initialize() {
        return control(messages.initialize());
    }

    /** Interrupts the running turn (its {@code result} still arrives); harmless when idle. */
    public Mono<Void> interrupt() {
        return control(messages.interrupt()).then();
    }

    public Mono<Void> setModel(String model) {
        return control(messages.setModel(model)).then();
    }

    public Mono<Void> setPermissionMode(String mode) {
        return control(messages.setPermissionMode(mode)).then();
    }

    /**
     * {@code get_context_usage}: the CLI's answer ({@code percentage}, {@code totalTokens}, {@code maxTokens}, the
     * categories...). Answered concurrently with a turn (PROTOCOL.md §3); fails after the control timeout.
     */
    public Mono<JsonNode> contextUsage() {
        return control(messages.getContextUsage());
    }

    private Mono<JsonNode> control(ObjectNode request) {
        return control(request, id -> { });
    }

    private Mono<JsonNode> control(ObjectNode request, java.util.function.Consumer<String> onId) {
        return Mono.defer(() -> {
            String id = "req_" + requestCounter.incrementAndGet() + "_"
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            onId.accept(id);
            Sinks.One<JsonNode> answer = Sinks.one();
            controls.put(id, answer);
            String subtype = request.path("subtype").asText();
            return process.writeLine(messages.controlRequest(id, request))
                    .then(answer.asMono())
                    .timeout(controlTimeout, Mono.error(() -> new ControlRequestException(
                            subtype + " got no answer within " + controlTimeout.toMillis() + " ms")))
                    .doFinally(s -> controls.remove(id));
        });
    }

    /**
     * Stops the CLI (docs/architecture.md §3.4): interrupt a running turn and wait up to {@code interruptWait} for its
     * result, then close stdin and wait {@code grace}, then SIGTERM, then SIGKILL after {@code killAfter}.
     */
    public Mono<ExitStatus> stop(Duration interruptWait, Duration grace, Duration killAfter) {
        return Mono.defer(() -> {
            stopping.set(true);
            Mono<Void> settle = turnRunning()
                    ? interrupt().onErrorResume(e -> Mono.empty())
                            .then(Flux.fromIterable(List.copyOf(turns))
                                    .flatMap(t -> t.asMono().onErrorResume(e -> Mono.empty()))
                                    .then())
                            .timeout(interruptWait, Mono.empty())
                    : Mono.empty();
            return settle.then(process.stop(grace, killAfter));
        });
    }

    /** Whether the bot began a stop: an exit after that is "stopped", not "dead" (docs/architecture.md §3.5). */
    public boolean stopRequested() {
        return stopping.get();
    }

    // ---- bookkeeping, one event at a time ----

    private void track(CliEvent event) {
        if (wire.isTraceEnabled()) {
            wire.trace("{} << {}", process.name(), event);
        }
        switch (event) {
            case CliEvent.SystemInit init -> sessionId = Optional.of(init.sessionId());
            case CliEvent.Result result -> finishTurn(result);
            case CliEvent.ConversationReset reset -> newConversation();
            case CliEvent.ControlResponse response -> {
                if (holding && response.requestId().equals(adoptionInit)) {
                    askStillOpen(response);
                }
                answered(response);
            }
            case CliEvent.CanUseTool request when holding -> held.add(request);
            case CliEvent.CanUseTool request -> asked(request);
            case CliEvent.Assistant message -> plans.note(message);
            case CliEvent.ControlCancel cancel -> withdrawn(cancel.requestId());
            case CliEvent.ControlRequest other -> write(messages.error(other.requestId(),
                    "Unsupported control request subtype: " + other.subtype()));
            case CliEvent.Oversized oversized -> oversized(oversized);
            case CliEvent.NotJson line -> log.warn("{}: not a JSON line: {}", process.name(), abbreviate(line.line()));
            default -> {
            }
        }
    }

    private void finishTurn(CliEvent.Result result) {
        process.noteResult();
        closePermissions(PermissionRequest.Outcome.ENDED_WITH_TURN);
        Sinks.One<TurnResult> turn = turns.pollFirst();
        if (turn == null && sessionId.isPresent()) {
            // A turn the CLI ran by itself after an init (2.1.332: a background agent finished, transcript
            // 16_subagent_task): not ours to answer, and no failure. Its events went to the stream as any others.
            log.info("{}: a turn the CLI started itself ended ({})", process.name(), result.subtype());
            return;
        }
        if (turn == null) {
            // A result nobody asked for, before any init: the CLI reports a start-up failure this way (--resume of
            // an unknown id).
            startupFailure = Optional.of(result.errorText());
            failControls(new TurnFailedException(result.errorText()));
            return;
        }
        long tokensIn = 0;
        long tokensOut = 0;
        for (CliEvent.ModelUsage usage : result.modelUsage().values()) {
            tokensIn += usage.inputTokens() + usage.cacheCreationInputTokens() + usage.cacheReadInputTokens();
            tokensOut += usage.outputTokens();
        }
        BigDecimal cost = result.totalCostUsd().subtract(lastTotalCost);
        TurnResult done = new TurnResult(result, cost.signum() < 0 ? BigDecimal.ZERO : cost,
                Math.max(0, tokensIn - lastTokensIn), Math.max(0, tokensOut - lastTokensOut));
        if (result.totalCostUsd().compareTo(lastTotalCost) > 0) {
            lastTotalCost = result.totalCostUsd();
        }
        if (!result.modelUsage().isEmpty()) {
            lastTokensIn = tokensIn;
            lastTokensOut = tokensOut;
        }
        turn.tryEmitValue(done);
    }

    /**
     * {@code /clear} started a new conversation in this process: its cost and {@code modelUsage} count from 0 again
     * (the {@code result} of the clear says {@code total_cost_usd: 0}), so the next turn's figures count from 0 too.
     */
    private void newConversation() {
        lastTotalCost = BigDecimal.ZERO;
        lastTokensIn = 0;
        lastTokensOut = 0;
    }

    private void answered(CliEvent.ControlResponse response) {
        Sinks.One<JsonNode> waiting = controls.remove(response.requestId());
        if (waiting == null) {
            log.debug("{}: control response for unknown request {}", process.name(), response.requestId());
            return;
        }
        if (response.success()) {
            waiting.tryEmitValue(response.response());
        } else {
            waiting.tryEmitError(new ControlRequestException(response.error().orElse("error")));
        }
    }

    private void asked(CliEvent.CanUseTool request) {
        Optional<String> plan = request.toolName().equals(Plans.EXIT_PLAN_MODE) ? plans.take(request.toolUseId())
                : Optional.empty();
        PermissionRequest permission = new PermissionRequest(request, new PermissionRequest.Answerer() {
            @Override
            public Mono<Void> write(String requestId, Function<CliMessages, String> line) {
                return answer(requestId, line);
            }

            @Override
            public CliMessages messages() {
                return messages;
            }
        }, plan);
        permissions.put(request.requestId(), permission);
        Sinks.EmitResult result = permissionSink.tryEmitNext(permission);
        if (result.isFailure()) {
            log.warn("{}: permission request {} not delivered: {}", process.name(), request.requestId(), result);
        }
    }

    private Mono<Void> answer(String requestId, Function<CliMessages, String> line) {
        permissions.remove(requestId);
        return process.writeLine(line.apply(messages));
    }

    /**
     * The answer to the re-sent {@code initialize}: of the permission requests the replay held, those the CLI lists as
     * still open are asked (a request it lists that the replay did not hold too); the others were answered.
     */
    private void askStillOpen(CliEvent.ControlResponse response) {
        holding = false;
        Map<String, CliEvent.CanUseTool> open = new java.util.LinkedHashMap<>();
        held.forEach(r -> open.put(r.requestId(), r));
        held.clear();
        java.util.Set<String> stillOpen = new java.util.HashSet<>();
        for (JsonNode pending : response.pendingPermissions()) {
            String id = pending.path("request_id").asText();
            stillOpen.add(id);
            if (!open.containsKey(id) && decoder.decode(pending.toString()) instanceof CliEvent.CanUseTool r) {
                open.put(id, r);
            }
        }
        open.values().stream().filter(r -> stillOpen.contains(r.requestId())).forEach(this::asked);
        log.info("{}: re-attached; {} permission request(s) still open asked again", process.name(),
                stillOpen.size());
    }

    private void withdrawn(String requestId) {
        held.removeIf(r -> r.requestId().equals(requestId));
        PermissionRequest permission = permissions.remove(requestId);
        if (permission != null) {
            permission.close(PermissionRequest.Outcome.WITHDRAWN_BY_CLI);
        }
    }

    private void oversized(CliEvent.Oversized line) {
        log.warn("{}: a {} line of {} bytes is over the cap", process.name(), line.type(), line.bytes());
        if (line.type().equals("control_request") && line.subtype().orElse("").equals("can_use_tool")) {
            line.requestId().ifPresent(id -> write(messages.deny(id,
                    "The permission request was too large for the chat bridge (" + line.bytes() + " bytes); denied.")));
        } else if (line.type().equals("result")) {
            Sinks.One<TurnResult> turn = turns.pollFirst();
            if (turn != null) {
                turn.tryEmitError(new TurnFailedException("the turn's result was too large to read ("
                        + line.bytes() + " bytes)"));
            }
        }
    }

    private void write(String line) {
        process.writeLine(line).subscribe(null, e -> log.warn("{}: write failed: {}", process.name(), e.toString()));
    }

    private void ended(ExitStatus status) {
        CliExitedException death = new CliExitedException(status, process.stderrTail());
        Sinks.One<TurnResult> turn;
        while ((turn = turns.pollFirst()) != null) {
            turn.tryEmitError(startupFailure.<RuntimeException>map(TurnFailedException::new).orElse(death));
        }
        failControls(death);
        closePermissions(PermissionRequest.Outcome.ENDED_WITH_TURN);
        permissionSink.tryEmitComplete();
    }

    private void failControls(RuntimeException error) {
        controls.values().forEach(c -> c.tryEmitError(error));
        controls.clear();
    }

    private void closePermissions(PermissionRequest.Outcome why) {
        permissions.values().forEach(p -> p.close(why));
        permissions.clear();
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
