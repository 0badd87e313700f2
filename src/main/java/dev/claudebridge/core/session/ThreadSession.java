package dev.claudebridge.core.session;

import dev.claudebridge.core.port.AgentEvent;
import dev.claudebridge.core.port.AgentExit;
import dev.claudebridge.core.port.AgentPermission;
import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.AgentSession;
import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.Button;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.ChatPlatform.OutgoingMessage;
import dev.claudebridge.core.port.SessionStore;
import dev.claudebridge.core.port.TurnOutcome;
import dev.claudebridge.core.transcript.Renderer;
import dev.claudebridge.core.transcript.ToolLine;
import dev.claudebridge.core.transcript.ToolLines;
import dev.claudebridge.core.transcript.Transcript;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One chat thread's session: an actor with a bounded prompt inbox worked one turn at a time, and a control path
 * (interrupt, permission answers, stop) that never waits behind a turn (ARCHITECTURE.md §1, §3.5). What it must not
 * forget (state, totals, the CLI's conversation id, the inbox, its CLI's pid) is written through to the store.
 */
public final class ThreadSession {

    private static final Logger log = LoggerFactory.getLogger(ThreadSession.class);
    static final String QUEUED = "⏳";
    private static final String NO_CONVERSATION = "No conversation found";
    private static final int MAX_NOTICES = 10;

    /** Fixed facts of a session. */
    public record Identity(String threadId, String title, String parentChannelId, String guildId, String ownerId,
            Path workDir, Optional<String> model, Instant createdAt) {
    }

    private final Identity identity;
    private final SessionContext context;
    private final ChatPlatform chat;
    private final SessionSettings settings;
    private final Renderer renderer;
    private final StoreWriter writer;
    private final Deque<Prompt> waiting = new ArrayDeque<>(); // guarded by itself
    private final Sinks.Many<Boolean> ticks = Sinks.many().unicast().onBackpressureBuffer();
    private final Map<String, PermissionPrompt> permissions = new ConcurrentHashMap<>();
    private final AtomicReference<SessionState> state;
    private final Disposable worker;
    private volatile AgentSession agent;
    private volatile Mono<Void> stopping = Mono.empty();
    private volatile Optional<String> conversationId;
    private volatile Totals totals;
    private volatile Instant lastActivity;
    private volatile boolean turnRunning;
    private volatile Sinks.Empty<Void> turnDone = completedTurn(); // the running turn's end, for a drain

    ThreadSession(Identity identity, SessionContext context, SessionState initial, Totals totals,
            Optional<String> conversationId, Instant lastActivity) {
        this.identity = identity;
        this.context = context;
        this.chat = context.chat();
        this.settings = context.settings();
        this.renderer = new Renderer(chat.pageLimit());
        this.writer = new StoreWriter(identity.threadId());
        this.state = new AtomicReference<>(initial);
        this.totals = totals;
        this.conversationId = conversationId;
        this.lastActivity = lastActivity;
        // The worker: one turn at a time, in order; a failing turn never ends the worker.
        this.worker = ticks.asFlux()
                .concatMap(tick -> next().flatMap(this::runTurn)
                        .onErrorResume(e -> {
                            log.error("[T:{}] turn failed unexpectedly", identity.threadId(), e);
                            return Mono.empty();
                        }), 1)
                .subscribe();
        save();
    }

    public Identity identity() {
        return identity;
    }

    public SessionState state() {
        return state.get();
    }

    public Totals totals() {
        return totals;
    }

    public Instant lastActivity() {
        return lastActivity;
    }

    public int waitingCount() {
        synchronized (waiting) {
            return waiting.size();
        }
    }

    public Optional<String> conversationId() {
        return conversationId;
    }

    /** Whether a CLI process is running for this session now. */
    public boolean cliAlive() {
        return agent != null;
    }

    boolean turnRunning() {
        return turnRunning;
    }

    // ---- the inbox ----

    /** What became of an offered prompt. */
    public enum Offer { STARTED, QUEUED, REFUSED_FULL, REFUSED_ENDED, KEPT_FOR_RESTART }

    /**
     * Takes a prompt: it runs now, or waits (marked ⏳) behind the running turn, or is refused with a reply when
     * {@code QUEUE_LIMIT} prompts already wait. Never blocks.
     */
    public Offer offer(Prompt prompt) {
        if (state.get() == SessionState.ENDED) {
            return Offer.REFUSED_ENDED;
        }
        if (context.draining().getAsBoolean()) {
            return keepForRestart(prompt);
        }
        boolean busy;
        synchronized (waiting) {
            busy = turnRunning || !waiting.isEmpty();
            if (busy && waiting.size() >= settings.queueLimit()) {
                fireAndLog(reply(Texts.queueFull(settings.queueLimit())), "queue-full reply");
                return Offer.REFUSED_FULL;
            }
            waiting.addLast(prompt);
            saveInbox();
            // Under the lock: offers come from many event threads, and a sink takes one emitter at a time.
            Sinks.EmitResult result = ticks.tryEmitNext(Boolean.TRUE);
            if (result.isFailure()) {
                log.error("[T:{}] prompt not scheduled: {}", identity.threadId(), result);
            }
        }
        lastActivity = context.clock().instant();
        if (busy) {
            prompt.messageId().ifPresent(id -> fireAndLog(chat.react(identity.threadId(), id, QUEUED), "queue mark"));
        }
        return busy ? Offer.QUEUED : Offer.STARTED;
    }

    /**
     * During a drain a prompt is not started: it goes into the inbox, which is written through to the store, so the
     * next run offers it again at start-up (as after a crash). The author is told, so nobody waits in vain.
     */
    private Offer keepForRestart(Prompt prompt) {
        synchronized (waiting) {
            if (waiting.size() >= settings.queueLimit()) {
                fireAndLog(reply(Texts.queueFull(settings.queueLimit())), "queue-full reply");
                return Offer.REFUSED_FULL;
            }
            waiting.addLast(prompt);
            saveInbox();
        }
        fireAndLog(reply(Texts.keptForRestart()), "restart reply");
        return Offer.KEPT_FOR_RESTART;
    }

    /** A prompt taken just as a drain began, before its CLI could start: back to the head of the stored inbox. */
    private Mono<Void> keepTaken(Prompt prompt) {
        synchronized (waiting) {
            waiting.addFirst(prompt);
            saveInbox();
        }
        return reply(Texts.keptForRestart());
    }

    private Mono<Prompt> next() {
        synchronized (waiting) {
            if (context.draining().getAsBoolean()) {
                return Mono.empty(); // what waits stays in the stored inbox for the next run
            }
            Prompt prompt = waiting.pollFirst();
            if (prompt != null) {
                turnRunning = true;
                turnDone = Sinks.empty();
                saveInbox();
                save();
            }
            return Mono.justOrEmpty(prompt);
        }
    }

    // ---- one turn ----

    private Mono<Void> runTurn(Prompt prompt) {
        prompt.messageId().ifPresent(id -> fireAndLog(chat.unreact(identity.threadId(), id, QUEUED), "unmark"));
        return ensureAgent()
                .flatMap(live -> streamTurn(live, prompt))
                .onErrorResume(AgentExit.class, exit -> Mono.empty()) // said in the thread by the watcher
                .onErrorResume(e -> context.draining().getAsBoolean() && !cliAlive(), e -> keepTaken(prompt))
                .onErrorResume(e -> {
                    log.warn("[T:{}] turn could not run: {}", identity.threadId(), e.toString());
                    return reply(Texts.failedTurn(e.getMessage() == null ? e.toString() : e.getMessage()));
                })
                // Before the worker takes the next prompt (a doFinally would run after it, and undo its state).
                .then(Mono.fromRunnable(this::turnEnded));
    }

    private void turnEnded() {
        synchronized (waiting) {
            turnRunning = false;
        }
        turnDone.tryEmitEmpty(); // one emitter: only the worker ends a turn
        lastActivity = context.clock().instant();
        if (state.get() == SessionState.RUNNING || state.get() == SessionState.AWAITING_PERMISSION) {
            setState(SessionState.IDLE);
        } else {
            save();
        }
    }

    private Mono<Void> streamTurn(AgentSession live, Prompt prompt) {
        setState(SessionState.RUNNING);
        LiveReply reply = new LiveReply(chat, identity.threadId(), context.clock());
        AtomicReference<Transcript> transcript = new AtomicReference<>(Transcript.empty());
        List<ComponentRow> interrupt = List.of(new ComponentRow.Buttons(List.of(new Button(
                ComponentIds.of(ComponentIds.INTERRUPT, identity.threadId()), "Interrupt", Button.Style.SECONDARY,
                false))));
        reply.offer(() -> new LiveReply.Frame(renderer.render(Transcript.empty(), Optional.empty()).pages(),
                interrupt));
        List<AgentEvent.ToolUse> longInputs = new java.util.concurrent.CopyOnWriteArrayList<>();
        Disposable rendering = live.events()
                .doOnNext(e -> {
                    if (e instanceof AgentEvent.ToolUse use && ToolLines.needsAttachment(use)) {
                        longInputs.add(use);
                    }
                })
                .scan(Transcript.empty(), Transcript::apply)
                .skip(1)
                .subscribe(t -> {
                    rememberConversation(live);
                    transcript.set(t);
                    reply.offer(() -> new LiveReply.Frame(renderer.render(t, Optional.empty()).pages(), interrupt));
                });
        Instant started = context.clock().instant();
        return live.send(prompt.text())
                .timeout(settings.turnTimeout(), Mono.defer(() -> timedOut(live)))
                .flatMap(outcome -> {
                    Duration took = Duration.between(started, context.clock().instant());
                    totals = totals.plus(outcome.tokensIn(), outcome.tokensOut(), outcome.costUsd());
                    conversationId = live.conversationId().or(() -> conversationId);
                    String footer = Texts.footer(took, outcome.costUsd());
                    if (outcome.failed() && !outcome.interrupted()) {
                        footer = Texts.failedTurn(outcome.errorText()) + "\n" + footer;
                    }
                    saveTurn(prompt, transcript.get(), outcome, started, took);
                    return reply.finish(new LiveReply.Frame(
                            renderer.render(transcript.get(), Optional.of(footer)).pages(), List.of()))
                            .then(postLongInputs(longInputs));
                })
                .onErrorResume(AgentExit.class, exit -> {
                    saveTurn(prompt, transcript.get(), null, started, Duration.between(started,
                            context.clock().instant()));
                    return reply.finish(new LiveReply.Frame(renderer.render(transcript.get(),
                                    Optional.of("💥 The CLI stopped during this turn.")).pages(), List.of()))
                            .then(postLongInputs(longInputs))
                            .then(Mono.error(exit));
                })
                .doFinally(s -> rendering.dispose());
    }

    /**
     * Tool calls whose input is too long for a tool line (ARCHITECTURE.md §3.6) get it in full as JSON files, after
     * the reply, so the reply's pages stay one run of messages. Discord takes 10 files a message.
     */
    private Mono<Void> postLongInputs(List<AgentEvent.ToolUse> uses) {
        List<ChatPlatform.Attachment> files = new ArrayList<>();
        for (int i = 0; i < uses.size(); i++) {
            AgentEvent.ToolUse use = uses.get(i);
            files.add(new ChatPlatform.Attachment((i + 1) + "-" + use.name().replaceAll("[^A-Za-z0-9_.-]", "_")
                    + "-input.json", use.inputJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return Flux.fromIterable(files)
                .buffer(10)
                .concatMap(batch -> chat.post(identity.threadId(), new OutgoingMessage(
                        "📎 Full input of " + batch.size() + " long tool call(s) of this turn.", List.of(), batch)))
                .onErrorResume(e -> {
                    log.warn("[T:{}] long tool inputs not posted: {}", identity.threadId(), e.toString());
                    return Mono.empty();
                })
                .then();
    }

    /** The CLI's conversation id is saved as soon as it is known, so a crash mid-turn can still resume it. */
    private void rememberConversation(AgentSession live) {
        Optional<String> id = live.conversationId();
        if (id.isPresent() && !id.equals(conversationId)) {
            conversationId = id;
            save();
        }
    }

    /** TURN_TIMEOUT: interrupt, say so, and wait (briefly) for the interrupted turn's outcome. */
    private Mono<TurnOutcome> timedOut(AgentSession live) {
        return reply(Texts.turnTimedOut(settings.turnTimeout()))
                .then(live.interrupt().onErrorResume(e -> Mono.empty()))
                .then(Mono.error(new TimeoutException("turn exceeded " + settings.turnTimeout())));
    }

    // ---- the agent ----

    private Mono<AgentSession> ensureAgent() {
        AgentSession current = agent;
        if (current != null) {
            return Mono.just(current);
        }
        if (context.draining().getAsBoolean()) {
            return Mono.error(new IllegalStateException("the bot is restarting"));
        }
        // A CLI being stopped finishes first: it may still be flushing the transcript the new one resumes.
        return stopping.then(Mono.defer(this::startAgent));
    }

    private Mono<AgentSession> startAgent() {
        AgentSession current = agent;
        if (current != null) {
            return Mono.just(current);
        }
        return context.budget().reserve(this).flatMap(room -> {
            if (!room) {
                return reply(Texts.noRoom(settings.maxLiveClis()))
                        .then(Mono.error(new AgentExit("no room for another CLI", false, List.of())));
            }
            Optional<String> resume = conversationId.filter(context.runtime()::canResume);
            Mono<Void> notice = conversationId.isPresent() && resume.isEmpty()
                    ? reply(Texts.resumedFresh("its transcript was not found")) : Mono.empty();
            return notice.then(start(resume))
                    .onErrorResume(AgentExit.class, e -> e.getMessage().contains(NO_CONVERSATION) && resume.isPresent()
                            ? reply(Texts.resumedFresh("the CLI found no such conversation")).then(start(Optional.empty()))
                            : Mono.error(e))
                    .doOnError(e -> context.budget().release(this));
        });
    }

    /** Starts the CLI; a resume the CLI refuses fails here, before any prompt is spent on it. */
    private Mono<AgentSession> start(Optional<String> resume) {
        return context.runtime().start(new AgentRuntime.Spec(identity.threadId(), identity.workDir(), identity.model(), resume))
                .flatMap(live -> resume.isEmpty() ? Mono.just(live) : live.ready()
                        .then(Mono.just(live))
                        .onErrorResume(e -> live.exit().then(Mono.error(e instanceof AgentExit x ? x
                                : new AgentExit(e.getMessage(), false, List.of())))))
                .doOnNext(this::attach);
    }

    private void attach(AgentSession live) {
        agent = live;
        context.metrics().cliStarted();
        live.startedAt().ifPresent(at -> writer.submit(Mono.defer(() -> context.store().saveChild(
                new SessionStore.ChildProcess(identity.threadId(), live.pid(), at)))));
        // Ends by itself when the process does (its permissions end with it).
        Flux.merge(
                        live.permissions().flatMap(this::askPermission),
                        live.events().ofType(AgentEvent.Notice.class).index().concatMap(this::sayNotice),
                        live.exit().flatMap(exit -> ended(live, exit)))
                .subscribe(null, e -> log.error("[T:{}] agent watch failed", identity.threadId(), e));
        if (state.get() == SessionState.STARTING || state.get() == SessionState.STOPPED
                || state.get() == SessionState.DEAD) {
            setState(SessionState.IDLE);
        }
    }

    /** Notices of one CLI, each in the thread up to a bound: a CLI gone wrong must not flood the channel. */
    private Mono<Void> sayNotice(reactor.util.function.Tuple2<Long, AgentEvent.Notice> numbered) {
        long n = numbered.getT1();
        if (n < MAX_NOTICES) {
            return reply(numbered.getT2().text());
        }
        log.warn("[T:{}] notice not said in the thread: {}", identity.threadId(), numbered.getT2().text());
        return n == MAX_NOTICES ? reply("⚠️ More notices from this CLI are only in the bot's log.") : Mono.empty();
    }

    private Mono<Void> askPermission(AgentPermission request) {
        PermissionPrompt prompt = new PermissionPrompt(request, chat, identity.threadId(), identity.ownerId(),
                settings.permissionTimeout(), context.clock());
        permissions.put(request.id(), prompt);
        setState(SessionState.AWAITING_PERMISSION);
        return prompt.run().doFinally(s -> {
            permissions.remove(request.id());
            if (permissions.isEmpty() && state.get() == SessionState.AWAITING_PERMISSION) {
                setState(turnRunning ? SessionState.RUNNING : SessionState.IDLE);
            }
        });
    }

    private Mono<Void> ended(AgentSession live, AgentExit exit) {
        synchronized (this) {
            if (agent == live) { // not already detached by a stop
                agent = null;
                context.budget().release(this);
            }
        }
        writer.submit(Mono.defer(() -> context.store().removeChild(live.pid())));
        live.conversationId().ifPresent(id -> conversationId = Optional.of(id));
        if (live.stopRequested() || state.get() == SessionState.STOPPED || state.get() == SessionState.ENDED) {
            save();
            return Mono.empty();
        }
        setState(SessionState.DEAD);
        context.metrics().cliDied();
        return chat.post(identity.threadId(), new OutgoingMessage(Texts.died(exit.description(), exit.stderrTail()),
                deadButtons(), List.of())).then();
    }

    /** Resume / Start fresh / Abort, for a session whose CLI died. */
    public List<ComponentRow> deadButtons() {
        String t = identity.threadId();
        return List.of(new ComponentRow.Buttons(List.of(
                new Button(ComponentIds.of(ComponentIds.DEAD, t, "resume"), "Resume", Button.Style.PRIMARY, false),
                new Button(ComponentIds.of(ComponentIds.DEAD, t, "fresh"), "Start fresh", Button.Style.SECONDARY,
                        false),
                new Button(ComponentIds.of(ComponentIds.DEAD, t, "abort"), "Abort", Button.Style.DANGER, false))));
    }

    // ---- the control path ----

    /** The Interrupt button: the turn ends early, the queue is kept. */
    public Mono<Void> interrupt() {
        AgentSession live = agent;
        return live == null || !turnRunning ? Mono.empty() : live.interrupt();
    }

    /** A click on a permission or question component; gives a refusal to show, or empty. */
    public Mono<String> answerPermission(String requestId, String userId, String action, List<String> values) {
        PermissionPrompt prompt = permissions.get(requestId);
        if (prompt == null) {
            return Mono.just("This request is no longer open.");
        }
        return prompt.click(userId, action, values);
    }

    /** {@code /stop}: interrupt, drop the queue (returned), stop the CLI; the session stays resumable. */
    public Mono<List<String>> stop() {
        List<String> dropped;
        synchronized (waiting) {
            dropped = waiting.stream().map(Prompt::text).toList();
            waiting.forEach(p -> p.messageId().ifPresent(id ->
                    fireAndLog(chat.unreact(identity.threadId(), id, QUEUED), "unmark")));
            waiting.clear();
            saveInbox();
        }
        setState(SessionState.STOPPED);
        return stopCli().then(reply(Texts.stopped(dropped))).thenReturn(dropped);
    }

    /**
     * Stops only the CLI (idle timeout, archived thread, room for another session, drain): the session stays
     * resumable and its next prompt starts the CLI again with {@code --resume}.
     */
    public Mono<Void> release(Optional<String> notice) {
        if (agent == null) {
            return stopping;
        }
        if (state.get().active()) {
            setState(SessionState.STOPPED);
        }
        return stopCli().then(notice.map(this::reply).orElse(Mono.empty()));
    }

    /**
     * Detaches the CLI at once (a prompt arriving meanwhile starts a new one, after this one is gone) and stops it
     * by the full escalation.
     */
    private Mono<Void> stopCli() {
        AgentSession live;
        synchronized (this) {
            live = agent;
            if (live == null) {
                return stopping;
            }
            agent = null;
            context.budget().release(this);
            stopping = live.stop().then().onErrorResume(e -> Mono.empty()).cache();
        }
        return stopping;
    }

    /** Resume / Start fresh after a death (or /continue): the CLI starts again now. */
    public Mono<Void> revive(boolean fresh) {
        if (fresh) {
            conversationId = Optional.empty();
        }
        if (state.get() == SessionState.DEAD || state.get() == SessionState.STOPPED) {
            setState(SessionState.IDLE);
        }
        return ensureAgent().then();
    }

    /** Abort: the session ends for good. */
    public Mono<Void> end() {
        setState(SessionState.ENDED);
        synchronized (waiting) {
            waiting.clear();
            saveInbox();
        }
        worker.dispose();
        ticks.tryEmitComplete();
        return stopCli();
    }

    /** Starts the CLI before any prompt, so a new session is ready at once (not while draining: none would be). */
    public Mono<Void> warmUp() {
        return context.draining().getAsBoolean() ? Mono.empty() : ensureAgent().then();
    }

    /**
     * This session's part of a drain (the registry has set the draining flag, so nothing new starts): a thread with a
     * running turn is told first; the CLI is stopped by the full sequence (which interrupts the turn); and the drain
     * waits for the interrupted turn to be wrapped up (its reply finished and the turn saved) before it returns.
     */
    Mono<Void> drain() {
        boolean running = turnRunning;
        Mono<Void> done = turnDone.asMono();
        Mono<Void> notice = running ? reply(Texts.drainInterrupts()) : Mono.empty();
        return notice.then(release(Optional.empty())).then(done);
    }

    private static Sinks.Empty<Void> completedTurn() {
        Sinks.Empty<Void> done = Sinks.empty();
        done.tryEmitEmpty();
        return done;
    }

    /** {@code /export}: the conversation as stored (prompt, reply text, tool lines per turn) as a Markdown file. */
    public Mono<Void> export() {
        return writer.flush()
                .then(context.store().turns(identity.threadId()).collectList())
                .flatMap(turns -> chat.post(identity.threadId(), new OutgoingMessage(
                        "📄 This session's conversation: " + turns.size() + " turn(s).", List.of(),
                        List.of(new ChatPlatform.Attachment("session-" + identity.threadId() + ".md",
                                Export.markdown(identity, turns).getBytes(java.nio.charset.StandardCharsets.UTF_8))))))
                .then();
    }

    /** Completes when everything said to the store so far is written. */
    public Mono<Void> flush() {
        return writer.flush();
    }

    /** A session restored after a restart whose turn was cut off says so (ARCHITECTURE.md §3.5). */
    Mono<Void> sayInterruptedByRestart() {
        return reply("⚠️ Interrupted by a restart: the turn that was running did not finish. "
                + "Send the prompt again if you still need it.");
    }

    private void setState(SessionState next) {
        SessionState previous = state.getAndSet(next);
        if (previous != next) {
            log.debug("[T:{}] {} -> {}", identity.threadId(), previous, next);
            save();
            context.onStateChange().accept(this);
        }
    }

    // ---- the store ----

    private void save() {
        writer.submit(Mono.defer(() -> context.store().saveSession(record())));
    }

    SessionStore.SessionRecord record() {
        Totals t = totals;
        Instant now = context.clock().instant();
        return new SessionStore.SessionRecord(identity.threadId(), identity.title(), identity.parentChannelId(),
                identity.guildId(), identity.ownerId(), state.get().name(), identity.model(),
                identity.workDir().toString(), conversationId, identity.createdAt(), now, lastActivity,
                t.promptsAnswered(), t.tokensIn(), t.tokensOut(), t.costUsd(), turnRunning);
    }

    /** Called with {@code waiting} held, so the snapshot is the inbox as it is. */
    private void saveInbox() {
        List<SessionStore.QueuedPrompt> snapshot = new ArrayList<>();
        int position = 0;
        for (Prompt p : waiting) {
            snapshot.add(new SessionStore.QueuedPrompt(identity.threadId(), position++, p.text(), p.authorId(),
                    p.messageId(), p.receivedAt()));
        }
        writer.submit(Mono.defer(() -> context.store().saveInbox(identity.threadId(), snapshot)));
    }

    private void saveTurn(Prompt prompt, Transcript transcript, TurnOutcome outcome, Instant started, Duration took) {
        String result = outcome == null ? "died" : outcome.interrupted() ? "interrupted"
                : outcome.failed() ? "error" : "ok";
        SessionStore.TurnRecord turn = new SessionStore.TurnRecord(identity.threadId(), identity.ownerId(),
                prompt.text(), transcript.text(), transcript.tools().stream().map(ToolLine::text).toList(), result,
                outcome == null ? java.math.BigDecimal.ZERO : outcome.costUsd(),
                outcome == null ? 0 : outcome.tokensIn(), outcome == null ? 0 : outcome.tokensOut(), took, started,
                context.clock().instant());
        writer.submit(Mono.defer(() -> context.store().saveTurn(turn)));
        save();
        context.metrics().turnEnded(result, took, turn.costUsd(), turn.tokensIn(), turn.tokensOut());
    }

    private Mono<Void> reply(String text) {
        return chat.post(identity.threadId(), OutgoingMessage.text(text)).then()
                .onErrorResume(e -> {
                    log.warn("[T:{}] could not say '{}': {}", identity.threadId(), text, e.toString());
                    return Mono.empty();
                });
    }

    private void fireAndLog(Mono<Void> action, String what) {
        action.subscribe(null, e -> log.warn("[T:{}] {} failed: {}", identity.threadId(), what, e.toString()));
    }
}
