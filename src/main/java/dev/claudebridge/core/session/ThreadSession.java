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
import dev.claudebridge.core.port.ResumeRefused;
import dev.claudebridge.core.port.SessionFiles;
import dev.claudebridge.core.port.SessionMetrics;
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
import dev.claudebridge.core.actor.Mailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * One chat thread's session, as an actor: every change to it (a prompt offered, a turn ended, stop, revive, a
 * permission asked or answered, the agent started or exited, idle, archive, drain) is a message into one
 * {@link Mailbox}, and its state lives in plain fields that only the mailbox's drain touches. Long work (starting a
 * CLI, a turn, stopping a CLI) runs outside the drain and reports back with a message. Readers on other threads
 * (status, presence, the registry's limits) see a snapshot the drain publishes after each message.
 *
 * <p>Control actions that must not wait behind a turn (Interrupt, permission answers) do not wait for anything: an
 * interrupt goes straight to the agent, a permission answer straight to its prompt (docs/architecture.md §1).
 * What it must not forget (state, totals, the CLI's conversation id, the inbox, its CLI's pid) is written through
 * to the store.
 */
public final class ThreadSession {

    private static final Logger log = LoggerFactory.getLogger(ThreadSession.class);
    static final String QUEUED = "⏳";
    private static final int MAX_NOTICES = 10;
    /**
     * How long a turn's end waits for the CLI's context figure (docs/cli-protocol.md "Context, /compact and /clear"):
     * the CLI counts tokens with the API first, which took 0.1-0.4 s against the fake; without an answer by then the
     * footer has no figure.
     */
    static final Duration CONTEXT_WAIT = Duration.ofSeconds(3);

    /**
     * Fixed facts of a session.
     *
     * @param platform which chat platform its thread is on ({@code ChatPlatform#platform()})
     * @param guildId  the platform's grouping of channels (a Discord guild, a Mattermost team)
     */
    public record Identity(String platform, String threadId, String title, String parentChannelId, String guildId,
            String ownerId, Path workDir, Optional<String> model, Instant createdAt) {
    }

    /** What the mailbox carries. */
    private sealed interface Msg {
        record Offer(Prompt prompt) implements Msg {
        }

        record WarmUp(Sinks.Empty<Void> done) implements Msg {
        }

        record Revive(boolean fresh, Sinks.Empty<Void> done) implements Msg {
        }

        record Started(AgentSession live) implements Msg {
        }

        record StartFailed(Throwable error) implements Msg {
        }

        /** The turn's figures, counted as soon as the agent gives them (before the reply's last edit). */
        record Counted(TurnOutcome outcome) implements Msg {
        }

        record TurnOver(Prompt prompt) implements Msg {
        }

        record Conversation(String id) implements Msg {
        }

        record Exited(AgentSession live, AgentExit exit) implements Msg {
        }

        record PermissionAsked(PermissionPrompt prompt) implements Msg {
        }

        record PermissionOver(String id) implements Msg {
        }

        record Stop(Sinks.One<List<String>> done) implements Msg {
        }

        /** @param onlyIfIdle an idle stop or an eviction: not if a prompt arrived since the caller looked */
        record Release(Optional<String> notice, boolean onlyIfIdle, Sinks.Empty<Void> done) implements Msg {
        }

        record End(Sinks.Empty<Void> done) implements Msg {
        }

        record Drain(Sinks.Empty<Void> done) implements Msg {
        }

        record Fail(String why) implements Msg {
        }

        record Sleep(Sinks.One<Boolean> done) implements Msg {
        }

        /** Take up the turn an agent ran on while the bot restarted. */
        record Reattach(SessionStore.RunningTurn turn) implements Msg {
        }

        record Reattached(SessionStore.RunningTurn turn, AgentSession live) implements Msg {
        }

        record ReattachFailed(SessionStore.RunningTurn turn, Throwable error) implements Msg {
        }

        /** The owner's answer to the resume question: a fresh conversation, or the session ends. */
        record ResumeAnswer(boolean fresh, Sinks.Empty<Void> done) implements Msg {
        }

        /** /model or /mode: {@code done} tells whether a live CLI took it now (else its next start does). */
        record Change(Setting setting, String value, Sinks.One<Boolean> done) implements Msg {
        }

        /** The live CLI took a change: it is remembered now. */
        record Changed(Setting setting, String value, Sinks.One<Boolean> done) implements Msg {
        }

        /** The owner approved a plan: the CLI left plan mode for {@code mode}. */
        record PlanApproved(String mode) implements Msg {
        }
    }

    /** What /model and /mode change. */
    public enum Setting { MODEL, PERMISSION_MODE }

    /**
     * What a session's CLI starts with besides its identity, as it was last changed.
     *
     * @param permissionMode empty: the CLI's default
     * @param planReturnMode in plan mode: the mode an approved plan returns to
     */
    public record Modes(Optional<String> model, Optional<String> permissionMode, Optional<String> planReturnMode) {
    }

    private final Identity identity;
    private final SessionContext context;
    private final ChatPlatform chat;
    private final SessionSettings settings;
    private final Renderer renderer;
    private final StoreWriter writer;
    private final Mailbox<Msg> mailbox;
    private final Map<String, PermissionPrompt> permissions = new ConcurrentHashMap<>(); // clicks look up here

    // ---- the actor's state: touched only by the mailbox's drain ----
    private SessionState state;
    private final Deque<Prompt> waiting = new ArrayDeque<>();
    private AgentSession agent;
    private boolean starting;
    private boolean stopWhenStarted; // a stop or an end arrived while the CLI was starting
    private final List<Sinks.Empty<Void>> agentWaiters = new ArrayList<>();
    private Mono<Void> stopping = Mono.empty();
    private Optional<String> conversationId;
    private Totals totals;
    private Instant lastActivity;
    private boolean turnRunning;
    private Sinks.Empty<Void> turnDone = completedTurn(); // the running turn's end, for a drain
    private boolean asleep; // dormant: every later message goes to the session made again for this thread
    private boolean resumeAsked; // the conversation cannot be resumed: nothing starts until the owner answers
    private boolean startResumes; // the CLI being started resumes the stored conversation (its start says so)
    private Optional<String> model; // /new's model, then /model's
    private Optional<String> permissionMode = Optional.empty(); // /mode's; empty: the CLI's default
    private Optional<String> planReturnMode = Optional.empty(); // in plan mode: where an approved plan returns
    private boolean changedWhileStarting; // a /model or /mode came while a CLI started: applied when it has

    // ---- what other threads may read: published by the drain after each message ----
    private volatile View view;

    private record View(SessionState state, Totals totals, Instant lastActivity, int waiting, boolean cliAlive,
            boolean turnRunning, Optional<String> conversationId, AgentSession agent, boolean resumeAsked,
            Modes modes) {
    }

    ThreadSession(Identity identity, SessionContext context, ChatPlatform chat, SessionState initial, Totals totals,
            Optional<String> conversationId, Instant lastActivity) {
        this(identity, context, chat, initial, totals, conversationId, lastActivity, true);
    }

    /** @param save whether to store the record now (not for a dormant session made again: the store has it) */
    ThreadSession(Identity identity, SessionContext context, ChatPlatform chat, SessionState initial, Totals totals,
            Optional<String> conversationId, Instant lastActivity, boolean save) {
        this(identity, context, chat, initial, totals, conversationId, lastActivity, save,
                new Modes(identity.model(), Optional.empty(), Optional.empty()));
    }

    /** @param modes the model and permission mode stored for it (restored, or made again from its record) */
    ThreadSession(Identity identity, SessionContext context, ChatPlatform chat, SessionState initial, Totals totals,
            Optional<String> conversationId, Instant lastActivity, boolean save, Modes modes) {
        this.model = modes.model();
        this.permissionMode = modes.permissionMode();
        this.planReturnMode = modes.planReturnMode();
        this.identity = identity;
        this.context = context;
        this.chat = chat;
        this.settings = context.settings();
        this.renderer = new Renderer(chat.pageLimit());
        this.writer = new StoreWriter(identity.threadId(), context.metrics()::storeWriteFailed, context.storeHealth(),
                context.timers());
        this.state = initial;
        this.totals = totals;
        this.conversationId = conversationId;
        this.lastActivity = lastActivity;
        this.mailbox = new Mailbox<>("session " + identity.threadId(), Schedulers.parallel(), this::handle);
        publish();
        if (save) {
            save();
        }
    }

    public Identity identity() {
        return identity;
    }

    public SessionState state() {
        return view.state();
    }

    /** For listings: what a dormant session's record would show. */
    public SessionSummary summary() {
        View v = view;
        return new SessionSummary(identity.platform(), identity.threadId(), identity.title(), identity.ownerId(),
                v.state(), identity.createdAt(), v.lastActivity(), v.totals());
    }

    public Totals totals() {
        return view.totals();
    }

    public Instant lastActivity() {
        return view.lastActivity();
    }

    public int waitingCount() {
        return view.waiting();
    }

    public Optional<String> conversationId() {
        return view.conversationId();
    }

    /** Whether a CLI process is running for this session now. */
    public boolean cliAlive() {
        return view.cliAlive();
    }

    boolean turnRunning() {
        return view.turnRunning();
    }

    // ---- the public API: each call is a message ----

    /**
     * Takes a prompt: it runs now, or waits (marked ⏳) behind the running turn, or is refused with a reply when
     * {@code QUEUE_LIMIT} prompts already wait, or (while the bot drains) is kept in the stored inbox for the next
     * run. Never blocks; whatever becomes of it is said in the thread.
     */
    public void offer(Prompt prompt) {
        send(new Msg.Offer(prompt));
    }

    /** Starts the CLI before any prompt, so a new session is ready at once (not while draining: none would be). */
    public Mono<Void> warmUp() {
        return ask(Msg.WarmUp::new);
    }

    /**
     * Resume / Start fresh after a death (or /continue): the CLI starts again now. Only a dead or stopped session is
     * revived; an ended or failed one never gets a CLI back (the Mono fails), a live one is left as it is.
     */
    public Mono<Void> revive(boolean fresh) {
        return ask(done -> new Msg.Revive(fresh, done));
    }

    /** Whether the resume question (Start fresh / Abort) is open in the thread. */
    public boolean resumeAsked() {
        return view.resumeAsked();
    }

    /**
     * The owner's answer to the resume question: {@code fresh} runs the waiting prompts in a fresh conversation,
     * otherwise the session ends and the waiting prompts are dropped (the thread says which). Fails when no
     * question is open.
     */
    public Mono<Void> answerResume(boolean fresh) {
        return ask(done -> new Msg.ResumeAnswer(fresh, done));
    }

    /** {@code /stop}: interrupt, drop the queue (returned), stop the CLI; the session stays resumable. */
    public Mono<List<String>> stop() {
        Sinks.One<List<String>> done = Sinks.one();
        send(new Msg.Stop(done));
        return done.asMono();
    }

    /**
     * Stops only the CLI (idle timeout, archived thread, room for another session, drain): the session stays
     * resumable and its next prompt starts the CLI again with {@code --resume}.
     */
    public Mono<Void> release(Optional<String> notice) {
        return ask(done -> new Msg.Release(notice, false, done));
    }

    /** As {@link #release}, but only if the session is still idle when the message is handled (idle stop, eviction). */
    Mono<Void> releaseIfIdle(Optional<String> notice) {
        return ask(done -> new Msg.Release(notice, true, done));
    }

    /** Abort: the session ends for good. */
    public Mono<Void> end() {
        return ask(Msg.End::new);
    }

    /**
     * This session's part of a drain (the registry has set the draining flag, so nothing new starts): a thread with a
     * running turn is told first; the CLI is stopped by the full sequence (which interrupts the turn); and the drain
     * waits for the interrupted turn to be wrapped up (its reply finished and the turn saved) before it returns.
     */
    Mono<Void> drain() {
        return ask(Msg.Drain::new);
    }

    /**
     * Goes dormant if it still has nothing live (no CLI, no turn, no prompt waiting, no question open, every write
     * stored) when the message is handled; true when it did. A dormant session forwards whatever reaches it later to
     * the session the registry makes again from its record.
     */
    Mono<Boolean> sleep() {
        Sinks.One<Boolean> done = Sinks.one();
        send(new Msg.Sleep(done));
        return done.asMono();
    }

    /**
     * After a restart: the agent of this session ran on in the middle of a turn (the kubernetes runtime); it is
     * attached to again, and the turn's reply carries on in the same messages. When that fails, the thread is told
     * that the turn was interrupted by the restart.
     */
    void reattach(SessionStore.RunningTurn turn) {
        send(new Msg.Reattach(turn));
    }

    /** A stored session that could not be restored: final, said in its thread. */
    void fail(String why) {
        send(new Msg.Fail(why));
    }

    /** The Interrupt button: the turn ends early, the queue is kept. Goes straight to the agent: never queued. */
    public Mono<Void> interrupt() {
        View v = view;
        return v.agent() == null || !v.turnRunning() ? Mono.empty() : v.agent().interrupt();
    }

    /** The model and permission mode its CLI runs with (or starts with next). */
    public Modes modes() {
        return view.modes();
    }

    /**
     * /model or /mode: a live CLI is told at once (its next turn has it: a running turn keeps its own) and the change
     * is remembered only once it took it; without one, the change is remembered for the next start. Fails with the
     * CLI's own words when it refuses, or when the session has ended. True when a live CLI took it.
     */
    public Mono<Boolean> change(Setting setting, String value) {
        return Mono.defer(() -> {
            Sinks.One<Boolean> done = Sinks.one();
            send(new Msg.Change(setting, value, done));
            return done.asMono();
        });
    }

    /** A click on a permission or question component; gives a refusal to show, or empty. Never queued. */
    public Mono<String> answerPermission(String requestId, String userId, String action, List<String> values) {
        PermissionPrompt prompt = permissions.get(requestId);
        if (prompt == null) {
            return Mono.just(Texts.REQUEST_CLOSED);
        }
        return prompt.click(userId, action, values);
    }

    private void send(Msg message) {
        if (!mailbox.send(message)) {
            log.atError().addKeyValue("thread", identity.threadId())
                    .log("message lost: the mailbox refused {}", message.getClass().getSimpleName());
        }
    }

    private Mono<Void> ask(java.util.function.Function<Sinks.Empty<Void>, Msg> message) {
        return Mono.defer(() -> {
            Sinks.Empty<Void> done = Sinks.empty();
            send(message.apply(done));
            return done.asMono();
        });
    }

    // ---- the drain: one message at a time ----

    private void handle(Msg message) {
        if (asleep) {
            forward(message);
            return;
        }
        try {
            switch (message) {
                case Msg.Offer m -> onOffer(m.prompt());
                case Msg.WarmUp m -> onWarmUp(m.done());
                case Msg.Revive m -> onRevive(m.fresh(), m.done());
                case Msg.Started m -> onStarted(m.live());
                case Msg.StartFailed m -> onStartFailed(m.error());
                case Msg.Counted m -> totals = totals.plus(m.outcome().tokensIn(), m.outcome().tokensOut(),
                        m.outcome().costUsd());
                case Msg.TurnOver m -> onTurnOver(m);
                case Msg.Conversation m -> onConversation(m.id());
                case Msg.Exited m -> onExited(m.live(), m.exit());
                case Msg.PermissionAsked m -> onPermissionAsked(m.prompt());
                case Msg.PermissionOver m -> onPermissionOver(m.id());
                case Msg.Stop m -> onStop(m.done());
                case Msg.Release m -> onRelease(m.notice(), m.onlyIfIdle(), m.done());
                case Msg.End m -> onEnd(m.done());
                case Msg.Drain m -> onDrain(m.done());
                case Msg.Fail m -> onFail(m.why());
                case Msg.Sleep m -> onSleep(m.done());
                case Msg.Reattach m -> onReattach(m.turn());
                case Msg.Reattached m -> onReattached(m.turn(), m.live());
                case Msg.ReattachFailed m -> onReattachFailed(m.turn(), m.error());
                case Msg.ResumeAnswer m -> onResumeAnswer(m.fresh(), m.done());
                case Msg.Change m -> onChange(m.setting(), m.value(), m.done());
                case Msg.Changed m -> {
                    remember(m.setting(), m.value());
                    publish(); // before the answer: its caller may read modes() at once
                    m.done().tryEmitValue(true);
                }
                case Msg.PlanApproved m -> remember(Setting.PERMISSION_MODE, m.mode());
            }
        } finally {
            publish();
        }
    }

    private void onSleep(Sinks.One<Boolean> done) {
        boolean quiet = !state.active() && agent == null && !starting && !turnRunning && waiting.isEmpty()
                && permissions.isEmpty() && writer.idle();
        if (quiet) {
            asleep = true;
            writer.close();
            context.dormancy().slept(this, record()); // the registry maps the thread to the record in this step
        }
        done.tryEmitValue(quiet);
    }

    private void forward(Msg message) {
        if (message instanceof Msg.Sleep m) {
            m.done().tryEmitValue(false);
            return;
        }
        Optional<ThreadSession> next = context.dormancy().successor(this);
        if (next.isPresent()) {
            next.get().send(message);
        } else {
            log.atError().addKeyValue("thread", identity.threadId())
                    .log("message lost: the session went dormant and none serves its thread now: {}",
                            message.getClass().getSimpleName());
        }
    }

    private void publish() {
        view = new View(state, totals, lastActivity, waiting.size(), agent != null, turnRunning, conversationId,
                agent, resumeAsked, new Modes(model, permissionMode, planReturnMode));
    }

    // ---- /model and /mode ----

    private void onChange(Setting setting, String value, Sinks.One<Boolean> done) {
        if (finished()) {
            done.tryEmitError(new IllegalStateException("the session has " + state.label()));
            return;
        }
        if (agent == null) {
            remember(setting, value);
            changedWhileStarting |= starting; // the CLI starting now may have been given the old value
            publish(); // before the answer: its caller may read modes() at once
            done.tryEmitValue(false);
            return;
        }
        apply(agent, setting, value).subscribe(null, done::tryEmitError,
                () -> send(new Msg.Changed(setting, value, done)));
    }

    private static Mono<Void> apply(AgentSession live, Setting setting, String value) {
        return setting == Setting.MODEL ? live.setModel(value) : live.setPermissionMode(value);
    }

    /** In the drain: the new value, written through; entering plan mode notes the mode an approved plan returns to. */
    private void remember(Setting setting, String value) {
        if (setting == Setting.MODEL) {
            model = Optional.of(value);
        } else {
            if (value.equals(PLAN)) {
                planReturnMode = Optional.of(planReturnMode.orElse(permissionMode.filter(m -> !m.equals(PLAN))
                        .orElse(DEFAULT_MODE)));
            } else {
                planReturnMode = Optional.empty();
            }
            permissionMode = Optional.of(value);
        }
        save();
    }

    static final String PLAN = "plan";
    static final String DEFAULT_MODE = "default";

    /** The mode an approved plan returns to: the one the session had before planning (the CLI's default if none). */
    private String planReturn() {
        Modes m = view.modes();
        return m.planReturnMode().orElse(m.permissionMode().filter(mode -> !mode.equals(PLAN)).orElse(DEFAULT_MODE));
    }

    private boolean finished() {
        return state == SessionState.ENDED || state == SessionState.FAILED;
    }

    private void onOffer(Prompt prompt) {
        if (finished()) {
            fireAndLog(reply(state == SessionState.FAILED ? Texts.failedUseNew(chat.markup())
                    : Texts.endedUseNew(chat.markup())),
                    "ended reply");
            return;
        }
        // A prompt offered while the resume question is open waits for the answer (marked ⏳ like a queued one).
        boolean busy = turnRunning || !waiting.isEmpty() || resumeAsked || context.draining().getAsBoolean();
        if (busy && waiting.size() >= settings.queueLimit()) {
            fireAndLog(reply(Texts.queueFull(settings.queueLimit())), "queue-full reply");
            return;
        }
        waiting.addLast(prompt);
        saveInbox();
        lastActivity = context.clock().instant();
        if (context.draining().getAsBoolean()) {
            // Kept in the stored inbox, which the next run offers again at start-up (as after a crash).
            fireAndLog(reply(Texts.keptForRestart()), "restart reply");
            return;
        }
        if (busy) {
            prompt.messageId().ifPresent(id -> fireAndLog(chat.react(identity.threadId(), id, QUEUED), "queue mark"));
        }
        pump();
    }

    private void onWarmUp(Sinks.Empty<Void> done) {
        if (context.draining().getAsBoolean() || agent != null || finished() || resumeAsked) {
            done.tryEmitEmpty();
            return;
        }
        agentWaiters.add(done);
        requestAgent();
    }

    private void onRevive(boolean fresh, Sinks.Empty<Void> done) {
        if (finished()) {
            done.tryEmitError(new IllegalStateException("the session has " + state.label()));
            return;
        }
        if (state != SessionState.DEAD && state != SessionState.STOPPED) {
            done.tryEmitEmpty(); // alive already (a message in the thread revived it first)
            return;
        }
        if (fresh) {
            conversationId = Optional.empty();
            resumeAsked = false;
        }
        setState(SessionState.IDLE);
        agentWaiters.add(done);
        requestAgent();
    }

    /** Runs the next prompt when nothing runs, starting the CLI first if there is none. */
    private void pump() {
        if (turnRunning || waiting.isEmpty() || finished() || context.draining().getAsBoolean() || resumeAsked) {
            return;
        }
        if (agent == null) {
            requestAgent();
            return;
        }
        Prompt prompt = waiting.pollFirst();
        turnRunning = true;
        turnDone = Sinks.empty();
        saveInbox();
        setState(SessionState.RUNNING);
        AgentSession live = agent;
        runTurn(live, prompt).subscribe(null, e -> log.atError().addKeyValue("thread", identity.threadId()).setCause(e)
                .log("turn failed unexpectedly"));
    }

    // ---- the agent's lifecycle ----

    /** One start at a time: a second request while one is under way waits for the same CLI. */
    private void requestAgent() {
        if (starting || agent != null) {
            return;
        }
        if (context.draining().getAsBoolean()) {
            failWaiters(new IllegalStateException("the bot is restarting"));
            return;
        }
        starting = true;
        Optional<String> conversation = conversationId;
        startResumes = conversation.isPresent();
        // A CLI being stopped finishes first: it may still be flushing the transcript the new one resumes. And what
        // was written so far (the session, its first prompt) is in the store before a CLI starts: a crash during the
        // start must not lose the prompt.
        stopping.then(writer.flush()).then(Mono.defer(() -> startAgent(conversation)))
                .subscribe(live -> send(new Msg.Started(live)), e -> send(new Msg.StartFailed(e)));
    }

    private Mono<AgentSession> startAgent(Optional<String> conversation) {
        return context.budget().reserve(this).flatMap(room -> {
            if (!room) {
                context.metrics().sessionRefused(SessionMetrics.Limit.LIVE_CLIS);
                return reply(Texts.noRoom(settings.maxLiveClis()))
                        .then(Mono.error(new AgentExit("no room for another CLI", false, List.of())));
            }
            // What the runtime says of the stored conversation decides: resume it, or (as when the CLI itself refuses
            // the resume) fail with ResumeRefused, which asks the owner: Start fresh or Abort.
            Mono<Optional<String>> resumable = conversation.isEmpty() ? Mono.just(Optional.<String>empty())
                    : context.runtime().resumability(conversation.get()).flatMap(check -> check.possible()
                            ? Mono.just(conversation)
                            : Mono.error(new ResumeRefused(check.obstacle().orElseThrow())));
            return resumable.flatMap(this::start)
                    .doOnError(e -> context.budget().release(this));
        });
    }

    private Mono<AgentSession> start(Optional<String> resume) {
        Modes modes = view.modes();
        return context.runtime().start(new AgentRuntime.Spec(identity.platform(), identity.threadId(),
                identity.workDir(), modes.model(), resume, modes.permissionMode()));
    }

    private void onStarted(AgentSession live) {
        starting = false;
        if (finished() || stopWhenStarted) {
            // Stopped or ended while it started: it never becomes this session's CLI.
            stopWhenStarted = false;
            context.budget().release(this);
            live.stop().subscribe(null, e -> log.atDebug().addKeyValue("thread", identity.threadId())
                    .log("stop failed: {}", e.toString()));
            agentWaiters.forEach(Sinks.Empty::tryEmitEmpty);
            agentWaiters.clear();
            return;
        }
        adopt(live);
        if (state == SessionState.STARTING || state == SessionState.STOPPED || state == SessionState.DEAD) {
            setState(SessionState.IDLE);
        }
        if (startResumes) {
            fireAndLog(chat.postEmbed(identity.threadId(), Texts.statusEmbed(chat.markup(), Texts.RESUMED_TITLE,
                    identity.title(), state.label(), identity.createdAt(), totals), List.of()).then(),
                    "resumed status");
        }
        agentWaiters.forEach(Sinks.Empty::tryEmitEmpty);
        agentWaiters.clear();
        pump();
    }

    /** The agent becomes this session's: its permissions, notices and exit are watched from now on. */
    private void adopt(AgentSession live) {
        agent = live;
        context.metrics().cliStarted();
        if (changedWhileStarting) { // it may have started with what was there before the change: told again
            changedWhileStarting = false;
            model.ifPresent(m -> fireAndLog(live.setModel(m), "model"));
            permissionMode.ifPresent(m -> fireAndLog(live.setPermissionMode(m), "permission mode"));
        }
        // Ends by itself when the process does (its permissions end with it).
        Flux.merge(
                        live.permissions().doOnNext(this::askPermission).then(),
                        live.events().ofType(AgentEvent.Notice.class).index().concatMap(this::sayNotice),
                        live.exit().doOnNext(exit -> send(new Msg.Exited(live, exit))).then())
                .subscribe(null, e -> log.atError().addKeyValue("thread", identity.threadId()).setCause(e)
                        .log("agent watch failed"));
    }

    // ---- a turn an agent ran on while the bot restarted ----

    private void onReattach(SessionStore.RunningTurn turn) {
        // The turn counts as running from now: a prompt offered meanwhile waits behind it.
        turnRunning = true;
        turnDone = Sinks.empty();
        starting = true;
        context.budget().reserve(this)
                .flatMap(room -> room ? context.runtime().reattach(new AgentRuntime.Spec(identity.platform(),
                                identity.threadId(), identity.workDir(), identity.model(), conversationId),
                                turn.agentPosition())
                                .doOnError(e -> context.budget().release(this))
                        : Mono.error(new IllegalStateException("no room for another CLI (MAX_LIVE_CLIS)")))
                .subscribe(live -> send(new Msg.Reattached(turn, live)), e -> send(new Msg.ReattachFailed(turn, e)));
    }

    private void onReattached(SessionStore.RunningTurn turn, AgentSession live) {
        starting = false;
        adopt(live);
        setState(SessionState.RUNNING);
        Prompt prompt = new Prompt(turn.prompt(), turn.authorId(), turn.promptMessageId(), turn.startedAt());
        streamTurn(live, prompt, Optional.of(turn))
                .map(Optional::of)
                .onErrorResume(AgentExit.class, exit -> Mono.just(Optional.empty())) // said by the exit watcher
                .onErrorResume(e -> {
                    log.atWarn().addKeyValue("thread", identity.threadId())
                            .log("the turn taken up again failed: {}", e.toString());
                    return reply(Texts.failedTurn(e.getMessage() == null ? e.toString() : e.getMessage()))
                            .thenReturn(Optional.empty());
                })
                .subscribe(null, e -> log.atError().addKeyValue("thread", identity.threadId()).setCause(e)
                                .log("turn failed unexpectedly"),
                        () -> send(new Msg.TurnOver(prompt)));
    }

    private void onReattachFailed(SessionStore.RunningTurn turn, Throwable error) {
        starting = false;
        turnRunning = false;
        turnDone.tryEmitEmpty();
        log.atWarn().addKeyValue("thread", identity.threadId())
                .log("the turn that ran on during the restart cannot be taken up again: {}", error.toString());
        writer.submit(Mono.defer(() -> context.store().clearRunningTurn(identity.platform(), identity.threadId())));
        fireAndLog(reply(Texts.INTERRUPTED_BY_RESTART), "restart notice");
        pump();
    }

    /**
     * The stored conversation cannot be resumed (the runtime's check, or the CLI's own "No conversation found"): the
     * thread says why and asks Start fresh / Abort; the waiting prompts stay queued (and in the stored inbox) until
     * the owner answers.
     */
    private void askResume(String why) {
        if (resumeAsked) {
            return;
        }
        resumeAsked = true;
        log.atInfo().addKeyValue("thread", identity.threadId()).log("resume question asked: {}", why);
        fireAndLog(chat.post(identity.threadId(), new OutgoingMessage(Texts.resumeQuestion(why, waiting.size()),
                resumeButtons(), List.of())).then(), "resume question");
    }

    /** Start fresh / Abort, for the resume question. */
    private List<ComponentRow> resumeButtons() {
        String t = identity.threadId();
        return List.of(new ComponentRow.Buttons(List.of(
                new Button(ComponentIds.of(ComponentIds.RESUME_QUESTION, t, "fresh"), "Start fresh",
                        Button.Style.PRIMARY, false),
                new Button(ComponentIds.of(ComponentIds.RESUME_QUESTION, t, "abort"), "Abort", Button.Style.DANGER,
                        false))));
    }

    private void onResumeAnswer(boolean fresh, Sinks.Empty<Void> done) {
        if (!resumeAsked || finished()) {
            done.tryEmitError(new IllegalStateException(Texts.REQUEST_CLOSED));
            return;
        }
        resumeAsked = false;
        if (fresh) {
            conversationId = Optional.empty();
            save();
            fireAndLog(reply(Texts.STARTED_FRESH), "fresh reply");
            if (waiting.isEmpty()) {
                requestAgent(); // nothing waits (a /continue or warm-up asked): the CLI starts now, as after a death
            } else {
                pump();
            }
            done.tryEmitEmpty();
            return;
        }
        List<String> dropped = waiting.stream().map(Prompt::text).toList();
        waiting.forEach(p -> p.messageId().ifPresent(id ->
                fireAndLog(chat.unreact(identity.threadId(), id, QUEUED), "unmark")));
        fireAndLog(reply(Texts.abortedResume(dropped)), "abort reply");
        onEnd(done);
    }

    /**
     * The session's status as an embed (a resumed session's, and {@code /continue}'s): the title, its state, when it
     * started, the prompts so far and their cost.
     *
     * @param heading what the embed says of it (resumed, your most recent session)
     */
    public ChatPlatform.Embed statusEmbed(String heading) {
        View v = view;
        return Texts.statusEmbed(chat.markup(), heading, identity.title(), v.state().label(), identity.createdAt(),
                v.totals());
    }

    private void onStartFailed(Throwable error) {
        starting = false;
        changedWhileStarting = false; // the next start reads the remembered values
        stopWhenStarted = false;
        if (error instanceof ResumeRefused refused && !finished()) {
            askResume(refused.getMessage());
            publish(); // who waited for the start (a revive) sees the question open
            failWaiters(error);
            return;
        }
        failWaiters(error);
        if (waiting.isEmpty() || turnRunning) {
            return;
        }
        // The prompt that was to run on it: kept for the next run during a drain, else answered and dropped (as a
        // turn that could not run), and the next one gets its own try.
        if (context.draining().getAsBoolean()) {
            fireAndLog(reply(Texts.keptForRestart()), "restart reply");
            return;
        }
        Prompt dropped = waiting.pollFirst();
        saveInbox();
        dropped.messageId().ifPresent(id -> fireAndLog(chat.unreact(identity.threadId(), id, QUEUED), "unmark"));
        if (!(error instanceof AgentExit)) { // an AgentExit was said already (no room, or the CLI's own death)
            log.atWarn().addKeyValue("thread", identity.threadId()).log("turn could not run: {}", error.toString());
            fireAndLog(reply(Texts.failedTurn(error.getMessage() == null ? error.toString() : error.getMessage())),
                    "failed reply");
        }
        pump();
    }

    private void failWaiters(Throwable error) {
        agentWaiters.forEach(w -> w.tryEmitError(error));
        agentWaiters.clear();
    }

    private void onExited(AgentSession live, AgentExit exit) {
        if (agent == live) { // not already detached by a stop
            agent = null;
            context.budget().release(this);
        }
        live.conversationId().ifPresent(id -> conversationId = Optional.of(id));
        if (live.stopRequested() || state == SessionState.STOPPED || finished()) {
            save();
            return;
        }
        setState(SessionState.DEAD);
        context.metrics().cliDied();
        fireAndLog(chat.post(identity.threadId(), new OutgoingMessage(Texts.died(exit.description(),
                exit.stderrTail()), deadButtons(), List.of())).then(), "death notice");
    }

    /**
     * Detaches the CLI at once (a prompt arriving meanwhile starts a new one, after this one is gone) and stops it by
     * the full escalation. A CLI still starting is stopped as soon as it has started.
     */
    private Mono<Void> stopCli() {
        if (starting) {
            stopWhenStarted = true;
        }
        AgentSession live = agent;
        if (live == null) {
            return stopping;
        }
        agent = null;
        context.budget().release(this);
        stopping = live.stop().then().onErrorResume(e -> Mono.empty()).cache();
        return stopping;
    }

    private void onStop(Sinks.One<List<String>> done) {
        List<String> dropped = waiting.stream().map(Prompt::text).toList();
        waiting.forEach(p -> p.messageId().ifPresent(id ->
                fireAndLog(chat.unreact(identity.threadId(), id, QUEUED), "unmark")));
        waiting.clear();
        saveInbox();
        if (!finished()) {
            setState(SessionState.STOPPED);
        }
        stopCli().then(reply(Texts.stopped(dropped)))
                .subscribe(null, e -> done.tryEmitError(e), () -> done.tryEmitValue(dropped));
    }

    private void onRelease(Optional<String> notice, boolean onlyIfIdle, Sinks.Empty<Void> done) {
        if (agent == null && !starting || onlyIfIdle && (turnRunning || !waiting.isEmpty())) {
            stopping.subscribe(null, e -> done.tryEmitEmpty(), done::tryEmitEmpty);
            return;
        }
        if (state.active()) {
            setState(SessionState.STOPPED);
        }
        stopCli().then(notice.map(this::reply).orElse(Mono.empty()))
                .subscribe(null, e -> done.tryEmitEmpty(), done::tryEmitEmpty);
    }

    private void onEnd(Sinks.Empty<Void> done) {
        setState(SessionState.ENDED);
        fireAndLog(chat.markEnded(identity.threadId(), Texts.threadEnded(chat.markup(), identity.title())),
                "marking the thread ended");
        waiting.clear();
        saveInbox();
        failWaiters(new IllegalStateException("the session has ended"));
        Mono<Void> released = Mono.defer(() -> context.runtime().sessionEnded(identity.platform(),
                identity.threadId())).onErrorResume(e -> {
                    log.atWarn().addKeyValue("thread", identity.threadId())
                            .log("the agent runtime could not release what it kept: {}", e.toString());
                    return Mono.empty();
                });
        stopCli().onErrorResume(e -> Mono.empty()).then(released)
                .subscribe(null, e -> done.tryEmitEmpty(), done::tryEmitEmpty);
    }

    private void onDrain(Sinks.Empty<Void> done) {
        AgentSession live = agent;
        if (live != null && turnRunning && live.position().isPresent()) {
            // The agent runs on without the bot (its turn, its reply, a question it waits on): the next run of the bot
            // re-attaches and carries the turn on. Only when it cannot be left does it stop as below.
            live.detach().subscribe(left -> {
                if (left) {
                    log.atInfo().addKeyValue("thread", identity.threadId())
                            .log("drain: the agent runs on through the restart");
                    done.tryEmitEmpty();
                } else {
                    send(new Msg.Drain(done));
                }
            }, e -> done.tryEmitEmpty());
            agent = null;
            return;
        }
        boolean running = turnRunning;
        Mono<Void> turnOver = turnDone.asMono();
        Mono<Void> notice = running ? reply(Texts.drainInterrupts()) : Mono.empty();
        if (state.active()) {
            setState(SessionState.STOPPED);
        }
        Mono<Void> stopped = stopCli();
        notice.then(stopped).then(turnOver).subscribe(null, e -> done.tryEmitEmpty(), done::tryEmitEmpty);
    }

    private void onFail(String why) {
        setState(SessionState.FAILED);
        fireAndLog(reply(Texts.restoreFailed(chat.markup(), why)), "restore failure notice");
    }

    private static Sinks.Empty<Void> completedTurn() {
        Sinks.Empty<Void> done = Sinks.empty();
        done.tryEmitEmpty();
        return done;
    }

    // ---- one turn (runs outside the drain; its end comes back as a message) ----

    private Mono<Void> runTurn(AgentSession live, Prompt prompt) {
        prompt.messageId().ifPresent(id -> fireAndLog(chat.unreact(identity.threadId(), id, QUEUED), "unmark"));
        return streamTurn(live, prompt, Optional.empty())
                .map(Optional::of)
                .onErrorResume(AgentExit.class, exit -> Mono.just(Optional.empty())) // said by the exit watcher
                .onErrorResume(e -> {
                    log.atWarn().addKeyValue("thread", identity.threadId()).log("turn could not run: {}", e.toString());
                    return reply(Texts.failedTurn(e.getMessage() == null ? e.toString() : e.getMessage()))
                            .thenReturn(Optional.empty());
                })
                .doOnNext(outcome -> send(new Msg.TurnOver(prompt)))
                .then();
    }

    private void onTurnOver(Msg.TurnOver over) {
        turnRunning = false;
        turnDone.tryEmitEmpty();
        lastActivity = context.clock().instant();
        // A /stop (or a death, an end) handled before this message stays: only a running turn becomes idle.
        if (state == SessionState.RUNNING || state == SessionState.AWAITING_PERMISSION) {
            setState(SessionState.IDLE);
        } else {
            save();
        }
        pump();
    }

    /**
     * One turn, its reply streamed into its messages. An agent that can outlive the bot ({@code position}) gets its
     * turn recorded in the store before the prompt is sent, and the reply's messages as they are posted, so that a
     * restarted bot can carry the turn on ({@code resumed}: such a turn taken up again, its reply in the same
     * messages, its events replayed from that position).
     */
    private Mono<TurnOutcome> streamTurn(AgentSession live, Prompt prompt, Optional<SessionStore.RunningTurn> resumed) {
        AtomicReference<SessionStore.RunningTurn> running = new AtomicReference<>(resumed.orElse(null));
        if (resumed.isEmpty()) {
            live.position().ifPresent(position -> running.set(new SessionStore.RunningTurn(identity.platform(),
                    identity.threadId(), position, prompt.text(), prompt.authorId(), prompt.messageId(), List.of(),
                    context.clock().instant())));
        }
        if (running.get() != null && resumed.isEmpty()) {
            SessionStore.RunningTurn first = running.get();
            writer.submit(Mono.defer(() -> context.store().saveRunningTurn(first)));
        }
        LiveReply reply = new LiveReply(chat, identity.threadId(), context.clock(), context.timers(),
                context.metrics(), resumed.map(SessionStore.RunningTurn::replyMessageIds).orElse(List.of()),
                ids -> {
                    SessionStore.RunningTurn now = running.updateAndGet(t -> t == null ? null
                            : t.withReplyMessages(ids));
                    if (now != null) {
                        writer.submit(Mono.defer(() -> context.store().saveRunningTurn(now)));
                    }
                });
        AtomicReference<Transcript> transcript = new AtomicReference<>(Transcript.empty());
        List<ComponentRow> interrupt = List.of(new ComponentRow.Buttons(List.of(new Button(
                ComponentIds.of(ComponentIds.INTERRUPT, identity.threadId()), "Interrupt", Button.Style.SECONDARY,
                false))));
        reply.offer(() -> new LiveReply.Frame(renderer.render(Transcript.empty(), Optional.empty()).pages(),
                interrupt));
        List<AgentEvent.ToolUse> longInputs = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicReference<AgentEvent> contextChange = new AtomicReference<>(); // a compaction or a clear in this turn
        AtomicReference<Optional<dev.claudebridge.core.port.ContextUsage>> contextFigure =
                new AtomicReference<>(Optional.empty());
        AtomicReference<Instant> ended = new AtomicReference<>();
        AtomicReference<Optional<String>> known = new AtomicReference<>(Optional.empty());
        Disposable rendering = live.events()
                .doOnNext(e -> {
                    if (e instanceof AgentEvent.ToolUse use && ToolLines.needsAttachment(use)) {
                        longInputs.add(use);
                    }
                    if (e instanceof AgentEvent.Compacted || e instanceof AgentEvent.CompactFailed
                            || e instanceof AgentEvent.Cleared) {
                        contextChange.set(e);
                    }
                })
                .scan(Transcript.empty(), Transcript::apply)
                .skip(1)
                .subscribe(t -> {
                    // The CLI's conversation id is saved as soon as it is known, so a crash mid-turn can resume it.
                    Optional<String> id = live.conversationId();
                    if (id.isPresent() && !id.equals(known.getAndSet(id))) {
                        send(new Msg.Conversation(id.get()));
                    }
                    transcript.set(t);
                    reply.offer(() -> new LiveReply.Frame(renderer.render(t, Optional.empty()).pages(), interrupt));
                });
        Instant started = resumed.map(SessionStore.RunningTurn::startedAt).orElseGet(() -> context.clock().instant());
        // The record of the running turn is in the store before the agent has the prompt.
        Mono<TurnOutcome> turn = resumed.isPresent() ? live.resumeTurn()
                : running.get() == null ? sendPrompt(live, prompt) : writer.flush().then(sendPrompt(live, prompt));
        return turn
                .timeout(settings.turnTimeout(), Mono.defer(() -> timedOut(live)), context.timers())
                .doOnNext(outcome -> ended.set(context.clock().instant()))
                .delayUntil(outcome -> askContext(live, contextFigure))
                .flatMap(outcome -> {
                    Duration took = Duration.between(started, ended.get());
                    send(new Msg.Counted(outcome));
                    live.conversationId().ifPresent(id -> send(new Msg.Conversation(id)));
                    String footer = Texts.footer(chat.markup(), took, outcome.costUsd(), contextFigure.get());
                    String withoutNote = footer;
                    footer = ContextCommand.note(chat.markup(), prompt.text(), contextChange.get())
                            .map(note -> note + "\n" + withoutNote).orElse(footer);
                    if (outcome.failed() && !outcome.interrupted()) {
                        footer = Texts.failedTurn(outcome.errorText()) + "\n" + footer;
                    }
                    saveTurn(prompt, transcript.get(), outcome, started, took);
                    forget(running);
                    return reply.finish(new LiveReply.Frame(
                            renderer.render(transcript.get(), Optional.of(footer)).pages(), List.of()))
                            .then(postLongInputs(longInputs))
                            .thenReturn(outcome);
                })
                .onErrorResume(AgentExit.class, exit -> {
                    saveTurn(prompt, transcript.get(), null, started, Duration.between(started,
                            context.clock().instant()));
                    forget(running);
                    return reply.finish(new LiveReply.Frame(renderer.render(transcript.get(),
                                    Optional.of("💥 The CLI stopped during this turn.")).pages(), List.of()))
                            .then(postLongInputs(longInputs))
                            .then(Mono.error(exit));
                })
                .doOnError(e -> forget(running)) // a turn that failed otherwise is not carried on either
                .doFinally(s -> rendering.dispose());
    }

    /**
     * The turn is saved: a restart from here on has nothing to carry on. No more message ids are recorded for it (the
     * record is gone), and the store forgets it, after the turn's own row.
     */
    private void forget(AtomicReference<SessionStore.RunningTurn> running) {
        if (running.getAndSet(null) != null) {
            writer.submit(Mono.defer(() -> context.store().clearRunningTurn(identity.platform(),
                    identity.threadId())));
        }
    }

    /**
     * The prompt to the agent, its images read again from the working directory (saved there before the prompt was
     * queued, so a queued prompt survives a restart whole). One that is gone, too large or no longer an image is left
     * out, and the text tells the model so.
     */
    private Mono<TurnOutcome> sendPrompt(AgentSession live, Prompt prompt) {
        if (prompt.images().isEmpty()) {
            return live.send(prompt.text());
        }
        SessionFiles.Place place = new SessionFiles.Place(identity.platform(), identity.threadId(),
                identity.workDir());
        List<AgentSession.Image> images = new ArrayList<>();
        StringBuilder text = new StringBuilder(prompt.text());
        return Flux.fromIterable(prompt.images())
                .concatMap(path -> context.runtime().files().read(place, path, Images.MAX_BYTES)
                        .onErrorResume(e -> Mono.just(new SessionFiles.FileRead.Refused(String.valueOf(
                                e.getMessage()))))
                        .doOnNext(read -> {
                            Optional<String> type = read instanceof SessionFiles.FileRead.Found found
                                    ? Images.mediaType(found.content()) : Optional.empty();
                            if (type.isPresent()) {
                                images.add(new AgentSession.Image(type.get(),
                                        ((SessionFiles.FileRead.Found) read).content()));
                            } else {
                                text.append("\n(The image ").append(path).append(" could not be shown to you: ")
                                        .append(Texts.unreadableImage(read)).append(".)");
                            }
                        }))
                .then(Mono.defer(() -> live.send(text.toString(), images)));
    }

    private void onConversation(String id) {
        if (!Optional.of(id).equals(conversationId)) {
            conversationId = Optional.of(id);
            save();
        }
    }

    /**
     * Tool calls whose input is too long for a tool line (docs/architecture.md §3.6) get it in full as JSON files, after
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
                    log.atWarn().addKeyValue("thread", identity.threadId())
                            .log("long tool inputs not posted: {}", e.toString());
                    return Mono.empty();
                })
                .then();
    }

    /**
     * The CLI's context figure after a turn, for its footer: asked beside the turn's end, waited for at most
     * {@link #CONTEXT_WAIT}; a failure or a late answer leaves the figure out and never fails the turn.
     */
    private Mono<Void> askContext(AgentSession live,
            AtomicReference<Optional<dev.claudebridge.core.port.ContextUsage>> figure) {
        return live.contextUsage()
                .timeout(CONTEXT_WAIT, context.timers())
                .doOnNext(usage -> figure.set(Optional.of(usage)))
                .onErrorResume(e -> {
                    log.atInfo().addKeyValue("thread", identity.threadId())
                            .log("no context figure for the footer: {}", e.toString());
                    return Mono.empty();
                })
                .then();
    }

    /** TURN_TIMEOUT: interrupt, say so, and wait (briefly) for the interrupted turn's outcome. */
    private Mono<TurnOutcome> timedOut(AgentSession live) {
        return reply(Texts.turnTimedOut(settings.turnTimeout()))
                .then(live.interrupt().onErrorResume(e -> Mono.empty()))
                .then(Mono.error(new TimeoutException("turn exceeded " + settings.turnTimeout())));
    }

    // ---- permissions (asked on the agent's thread, kept here; answers go straight to the prompt) ----

    private void askPermission(AgentPermission request) {
        PermissionPrompt prompt = new PermissionPrompt(request, chat, identity.threadId(), identity.ownerId(),
                settings.permissionTimeout(), context.clock(), context.timers(), context.metrics(),
                new PermissionPrompt.PlanExit(this::planReturn, mode -> send(new Msg.PlanApproved(mode))));
        permissions.put(request.id(), prompt); // before the message: a click may come as soon as it is posted
        send(new Msg.PermissionAsked(prompt));
    }

    private void onPermissionAsked(PermissionPrompt prompt) {
        setState(SessionState.AWAITING_PERMISSION);
        prompt.run().subscribe(null, e -> send(new Msg.PermissionOver(prompt.id())),
                () -> send(new Msg.PermissionOver(prompt.id())));
    }

    private void onPermissionOver(String id) {
        permissions.remove(id);
        if (permissions.isEmpty() && state == SessionState.AWAITING_PERMISSION) {
            setState(turnRunning ? SessionState.RUNNING : SessionState.IDLE);
        }
    }

    /** Notices of one CLI, each in the thread up to a bound: a CLI gone wrong must not flood the channel. */
    private Mono<Void> sayNotice(reactor.util.function.Tuple2<Long, AgentEvent.Notice> numbered) {
        long n = numbered.getT1();
        if (n < MAX_NOTICES) {
            return reply(numbered.getT2().text());
        }
        log.atWarn().addKeyValue("thread", identity.threadId())
                .log("notice not said in the thread: {}", numbered.getT2().text());
        return n == MAX_NOTICES ? reply("⚠️ More notices from this CLI are only in the bot's log.") : Mono.empty();
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

    /** {@code /export}: the conversation as stored (prompt, reply text, tool lines per turn) as a Markdown file. */
    public Mono<Void> export() {
        return writer.flush()
                .then(context.store().turns(identity.platform(), identity.threadId())
                        .reduce(new Export.Builder(Export.MAX_BYTES), Export.Builder::add))
                .flatMap(export -> chat.post(identity.threadId(), new OutgoingMessage(
                        Texts.exported(export.kept(), export.total(), Export.MAX_BYTES), List.of(),
                        List.of(new ChatPlatform.Attachment("session-" + identity.threadId() + ".md",
                                export.markdown(identity).getBytes(java.nio.charset.StandardCharsets.UTF_8))))))
                .then();
    }

    /** Completes when everything said to the store so far is written. */
    public Mono<Void> flush() {
        return writer.flush();
    }

    /** A session restored after a restart whose turn was cut off says so (docs/architecture.md §3.5). */
    Mono<Void> sayInterruptedByRestart() {
        return reply(Texts.INTERRUPTED_BY_RESTART);
    }

    private void setState(SessionState next) {
        SessionState previous = state;
        state = next;
        if (previous != next) {
            log.atDebug().addKeyValue("thread", identity.threadId()).log("{} -> {}", previous, next);
            save();
            publish(); // the presence is made from the published states
            context.onStateChange().accept(this);
        }
    }

    // ---- the store (records are made in the drain, written by the writer in order) ----

    private void save() {
        SessionStore.SessionRecord record = record();
        writer.submit(Mono.defer(() -> context.store().saveSession(record)));
    }

    SessionStore.SessionRecord record() {
        Totals t = totals;
        Instant now = context.clock().instant();
        return new SessionStore.SessionRecord(identity.platform(), identity.threadId(), identity.title(),
                identity.parentChannelId(),
                identity.guildId(), identity.ownerId(), state.name(), model,
                identity.workDir().toString(), conversationId, identity.createdAt(), now, lastActivity,
                t.promptsAnswered(), t.tokensIn(), t.tokensOut(), t.costUsd(), turnRunning, permissionMode,
                planReturnMode);
    }

    private void saveInbox() {
        List<SessionStore.QueuedPrompt> snapshot = new ArrayList<>();
        int position = 0;
        for (Prompt p : waiting) {
            snapshot.add(new SessionStore.QueuedPrompt(identity.platform(), identity.threadId(), position++, p.text(),
                    p.authorId(),
                    p.messageId(), p.receivedAt(), p.images()));
        }
        writer.submit(Mono.defer(() -> context.store().saveInbox(identity.platform(), identity.threadId(),
                snapshot)));
    }

    /** Written outside the drain (the turn's own data); the session's record follows with its TurnOver message. */
    private void saveTurn(Prompt prompt, Transcript transcript, TurnOutcome outcome, Instant started, Duration took) {
        String result = outcome == null ? "died" : outcome.interrupted() ? "interrupted"
                : outcome.failed() ? "error" : "ok";
        SessionStore.TurnRecord turn = new SessionStore.TurnRecord(identity.platform(), identity.threadId(),
                identity.ownerId(),
                prompt.text(), transcript.text(), transcript.tools().stream().map(ToolLine::text).toList(), result,
                outcome == null ? java.math.BigDecimal.ZERO : outcome.costUsd(),
                outcome == null ? 0 : outcome.tokensIn(), outcome == null ? 0 : outcome.tokensOut(), took, started,
                context.clock().instant());
        writer.submit(Mono.defer(() -> context.store().saveTurn(turn)));
        context.metrics().turnEnded(result, took, turn.costUsd(), turn.tokensIn(), turn.tokensOut());
    }

    private Mono<Void> reply(String text) {
        return chat.post(identity.threadId(), OutgoingMessage.text(text)).then()
                .onErrorResume(e -> {
                    log.atWarn().addKeyValue("thread", identity.threadId())
                            .log("could not say '{}': {}", text, e.toString());
                    return Mono.empty();
                });
    }

    private void fireAndLog(Mono<Void> action, String what) {
        action.subscribe(null, e -> log.atWarn().addKeyValue("thread", identity.threadId())
                .log("{} failed: {}", what, e.toString()));
    }
}
