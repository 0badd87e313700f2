package dev.claudebridge.core.session;

import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.port.SessionFiles;
import dev.claudebridge.core.port.SessionStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Every session of the bot by thread id; the limits across sessions ({@code MAX_LIVE_CLIS}, idle stop); restoring
 * sessions from the store after a restart; and the presence made from all sessions' states.
 *
 * <p>Memory is bounded by the sessions in use, not by every session ever made: a session with no CLI, nothing
 * queued and nothing open goes dormant after {@code IDLE_TIMEOUT} (and a restored one with nothing to do starts
 * dormant). Only its stored record stays, a few hundred bytes; addressing its thread (a message, a click, a command)
 * makes it again from that record, in the same step for every caller.
 */
public final class SessionRegistry implements SessionContext.CliBudget, SessionContext.Dormancy {

    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    private final SessionContext context;
    private final Map<String, ThreadSession> sessions = new ConcurrentHashMap<>();
    // Dormant sessions' records; a key is in at most one of the two maps, and moves only inside sessions.compute*.
    private final Map<String, SessionStore.SessionRecord> dormant = new ConcurrentHashMap<>();
    private final Set<ThreadSession> live = new HashSet<>(); // guarded by itself: sessions holding a CLI slot
    private final Sinks.Many<Presence> presence = Sinks.many().replay().latest();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AgentVersion agentVersion;
    private final Map<String, ChatPlatform> platforms = new ConcurrentHashMap<>();
    private final Map<String, Integer> reserved = new HashMap<>(); // guarded by itself: slots of sessions being made

    /**
     * One registry for every chat platform: the limits, the drain and the restore span them all. Each platform's
     * adapter {@link #attach attaches} its port before sessions are restored.
     */
    public SessionRegistry(AgentRuntime runtime, SessionStore store, SessionSettings settings, Clock clock,
            SessionMetrics metrics, AgentVersion agentVersion) {
        this(runtime, store, settings, clock, Schedulers.parallel(), metrics, agentVersion);
    }

    /**
     * @param timers where the sessions' timeouts and delays run (turn and permission timeouts, retries, the idle
     *               reaper); a test passes a virtual-time scheduler together with a clock it moves
     */
    public SessionRegistry(AgentRuntime runtime, SessionStore store, SessionSettings settings, Clock clock,
            Scheduler timers, SessionMetrics metrics, AgentVersion agentVersion) {
        this.agentVersion = agentVersion;
        this.context = new SessionContext(runtime, store, settings, clock, timers, new StoreHealth(), this, s -> publishPresence(),
                metrics, draining::get, this);
        publishPresence();
    }

    /** A chat platform whose sessions this registry holds (by {@link ChatPlatform#platform()}). */
    public void attach(ChatPlatform chat) {
        platforms.put(chat.platform(), chat);
    }

    /** The agent's version found at start-up, with a warning when this build was not tested with it. */
    public AgentVersion agentVersion() {
        return agentVersion;
    }

    public SessionSettings settings() {
        return context.settings();
    }

    /** The sessions' files (attachments in, {@code /download} out), where the agent runtime keeps them. */
    public SessionFiles files() {
        return context.runtime().files();
    }

    public SessionStore store() {
        return context.store();
    }

    /** Whether the sessions' writes reach the store (for readiness). */
    public StoreHealth storeHealth() {
        return context.storeHealth();
    }

    /** Where the sessions report what happens (for a refusal decided outside the registry). */
    public SessionMetrics metrics() {
        return context.metrics();
    }

    /**
     * Reserves one of the user's {@code MAX_SESSIONS_PER_USER}: checked and taken in one step, so a burst of
     * messages or confirmations cannot go past the limit. {@link #create} turns the reservation into a session;
     * {@link #releaseSlot} gives it back when no session came of it. A refusal is counted: every caller refuses the
     * user then.
     */
    public boolean reserveSlot(String userId) {
        return reserveCounting(userId).isPresent();
    }

    /**
     * As {@link #reserveSlot}, saying how many of the user's slots were in use before this one (active sessions and
     * sessions being made): a {@code /new} asks to confirm a further session from this, so two quick ones cannot
     * both pass as the first.
     */
    public java.util.OptionalInt reserveCounting(String userId) {
        synchronized (reserved) {
            int used = activeOf(userId).size() + reserved.getOrDefault(userId, 0);
            if (used >= context.settings().maxSessionsPerUser()) {
                context.metrics().sessionRefused(SessionMetrics.Limit.PER_USER);
                return java.util.OptionalInt.empty();
            }
            reserved.merge(userId, 1, Integer::sum);
            return java.util.OptionalInt.of(used);
        }
    }

    public void releaseSlot(String userId) {
        synchronized (reserved) {
            reserved.computeIfPresent(userId, (u, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Registers a new session for a thread that was just created, taking the owner's reserved slot. */
    public ThreadSession create(ChatPlatform chat, String threadId, String title, String parentChannelId,
            String scopeId, String ownerId, Path workDir, Optional<String> model) {
        Instant now = context.clock().instant();
        ThreadSession session = new ThreadSession(new ThreadSession.Identity(chat.platform(), threadId, title,
                parentChannelId, scopeId, ownerId, workDir, model, now), context, chat, SessionState.STARTING,
                Totals.ZERO, Optional.empty(), now);
        synchronized (reserved) { // the slot becomes the session in one step: never counted twice or not at all
            sessions.put(key(chat.platform(), threadId), session);
            reserved.computeIfPresent(ownerId, (u, n) -> n <= 1 ? null : n - 1);
        }
        publishPresence();
        return session;
    }

    /**
     * The session of a platform's thread (the key of the store too: platform and thread), made again from its record
     * if it was dormant.
     */
    public Optional<ThreadSession> get(String platform, String threadId) {
        String key = key(platform, threadId);
        ThreadSession loaded = sessions.get(key);
        if (loaded != null || !dormant.containsKey(key)) {
            return Optional.ofNullable(loaded);
        }
        return Optional.ofNullable(sessions.computeIfAbsent(key, k -> {
            SessionStore.SessionRecord record = dormant.remove(k);
            return record == null ? null : wake(record);
        }));
    }

    /**
     * The session of a thread on whichever platform has it; for tests and tools. Adapters ask with their platform:
     * ids of two platforms may look alike.
     */
    public Optional<ThreadSession> get(String threadId) {
        return platforms.keySet().stream().map(p -> get(p, threadId)).flatMap(Optional::stream).findFirst();
    }

    /** A dormant session made again, as it was when it slept (its record is the store's: nothing to write). */
    private ThreadSession wake(SessionStore.SessionRecord r) {
        log.atDebug().addKeyValue("thread", r.threadId()).log("dormant session addressed: loaded again");
        return new ThreadSession(new ThreadSession.Identity(r.platform(), r.threadId(), r.title(), r.channelId(),
                r.guildId(), r.ownerId(), Path.of(r.workDir()), r.model(), r.createdAt()), context,
                platforms.get(r.platform()), SessionState.valueOf(r.state()), new Totals(r.promptsAnswered(),
                        r.tokensIn(), r.tokensOut(), r.costUsd()), r.cliSessionId(), r.lastActivity(), false,
                modes(r));
    }

    /** The model and permission mode a stored session's CLI starts with. */
    private static ThreadSession.Modes modes(SessionStore.SessionRecord r) {
        return new ThreadSession.Modes(r.model(), r.permissionMode(), r.planReturnMode());
    }

    @Override
    public void slept(ThreadSession session, SessionStore.SessionRecord record) {
        sessions.computeIfPresent(key(record.platform(), record.threadId()), (k, current) -> {
            if (current != session) {
                return current;
            }
            dormant.put(k, record);
            return null;
        });
    }

    @Override
    public Optional<ThreadSession> successor(ThreadSession asleep) {
        return get(asleep.identity().platform(), asleep.identity().threadId()).filter(s -> s != asleep);
    }

    /** How many sessions are in memory now (dormant ones are not). */
    public int loaded() {
        return sessions.size();
    }

    /** How many sessions are dormant: known by their record alone. */
    public int dormantCount() {
        return dormant.size();
    }

    /** Sessions in a state, in memory or dormant (for the metrics). */
    public long count(SessionState state) {
        return sessions.values().stream().filter(s -> s.state() == state).count()
                + dormant.values().stream().filter(r -> r.state().equals(state.name())).count();
    }

    /** The parent channels of a platform's sessions, in memory or dormant (where the adapter must listen). */
    public java.util.Set<String> parentChannels(String platform) {
        return ofPlatform(platform, ThreadSession.Identity::parentChannelId, SessionStore.SessionRecord::channelId);
    }

    /** The owners of this platform's sessions, in memory or dormant (an adapter learns their names at start). */
    public java.util.Set<String> owners(String platform) {
        return ofPlatform(platform, ThreadSession.Identity::ownerId, SessionStore.SessionRecord::ownerId);
    }

    /** One field of every session of a platform: from a loaded session's identity, or from a dormant record. */
    private java.util.Set<String> ofPlatform(String platform,
            java.util.function.Function<ThreadSession.Identity, String> loaded,
            java.util.function.Function<SessionStore.SessionRecord, String> asleep) {
        java.util.Set<String> out = new java.util.HashSet<>();
        sessions.values().stream().map(ThreadSession::identity).filter(i -> i.platform().equals(platform))
                .forEach(i -> out.add(loaded.apply(i)));
        dormant.values().stream().filter(r -> r.platform().equals(platform)).forEach(r -> out.add(asleep.apply(r)));
        return out;
    }

    private static String key(String platform, String threadId) {
        return platform + ":" + threadId;
    }

    /** The user's sessions, in memory or dormant, most recently active first. */
    public List<SessionSummary> of(String userId) {
        return java.util.stream.Stream.concat(
                        sessions.values().stream().filter(s -> s.identity().ownerId().equals(userId))
                                .map(ThreadSession::summary),
                        dormant.values().stream().filter(r -> r.ownerId().equals(userId)).map(SessionSummary::of))
                .sorted(Comparator.comparing(SessionSummary::lastActivity).reversed())
                .toList();
    }

    /** Every session of a platform, in memory or dormant, most recently active first (what an admin may list). */
    public List<SessionSummary> everyone(String platform) {
        return java.util.stream.Stream.concat(
                        sessions.values().stream().filter(s -> s.identity().platform().equals(platform))
                                .map(ThreadSession::summary),
                        dormant.values().stream().filter(r -> r.platform().equals(platform)).map(SessionSummary::of))
                .sorted(Comparator.comparing(SessionSummary::lastActivity).reversed())
                .toList();
    }

    /** The user's active sessions (always in memory: a session goes dormant only when nothing of it is live). */
    public List<ThreadSession> activeOf(String userId) {
        return sessions.values().stream()
                .filter(s -> s.identity().ownerId().equals(userId) && s.state().active())
                .sorted(Comparator.comparing(ThreadSession::lastActivity).reversed())
                .toList();
    }

    /** The sessions in memory (dormant ones have nothing to drain, flush, stop or count as live). */
    public List<ThreadSession> all() {
        return List.copyOf(sessions.values());
    }

    /** The presence each time it may have changed (consumers keep only changes and pace them). */
    public Flux<Presence> presence() {
        return presence.asFlux();
    }

    private void publishPresence() {
        Presence now = Presence.of(sessions.values().stream().map(ThreadSession::state).toList());
        synchronized (presence) {
            presence.tryEmitNext(now); // serialized: state changes come from many threads
        }
    }

    // ---- MAX_LIVE_CLIS ----

    private static final int RESERVE_TRIES = 9;
    private static final Duration RESERVE_RETRY = Duration.ofMillis(250);

    /**
     * Room for one more CLI: granted under the limit; at the limit the least recently used idle CLI is stopped to
     * make room; refused when every CLI is in a turn. A turn whose reply has just ended may take a moment more to
     * become idle, so a refusal is only final after {@link #RESERVE_TRIES} looks {@link #RESERVE_RETRY} apart.
     */
    @Override
    public Mono<Boolean> reserve(ThreadSession requester) {
        return reserve(requester, RESERVE_TRIES - 1);
    }

    private Mono<Boolean> reserve(ThreadSession requester, int triesLeft) {
        return Mono.defer(() -> tryReserve(requester))
                .flatMap(granted -> granted || triesLeft == 0 ? Mono.just(granted)
                        : Mono.delay(RESERVE_RETRY, context.timers()).then(reserve(requester, triesLeft - 1)));
    }

    private Mono<Boolean> tryReserve(ThreadSession requester) {
        ThreadSession evict;
        synchronized (live) {
            if (live.contains(requester) || live.size() < context.settings().maxLiveClis()) {
                live.add(requester);
                return Mono.just(true);
            }
            evict = live.stream()
                    .filter(s -> s.state() == SessionState.IDLE && !s.turnRunning())
                    .min(Comparator.comparing(ThreadSession::lastActivity))
                    .orElse(null);
            if (evict == null) {
                return Mono.just(false);
            }
            live.remove(evict);
            live.add(requester);
        }
        log.atInfo().addKeyValue("thread", requester.identity().threadId())
                .log("stopping the CLI of idle session {} to make room (MAX_LIVE_CLIS)", evict.identity().threadId());
        return evict.releaseIfIdle(Optional.of(Texts.EVICTED))
                .thenReturn(true);
    }

    @Override
    public void release(ThreadSession session) {
        synchronized (live) {
            live.remove(session);
        }
    }

    public int liveClis() {
        synchronized (live) {
            return live.size();
        }
    }

    // ---- idle stop ----

    /**
     * Stops the CLIs of sessions idle for longer than {@code IDLE_TIMEOUT}; they stay resumable. Sessions without a
     * CLI that have been quiet as long go dormant (each decides in its own mailbox, so nothing that arrived since
     * is lost).
     */
    public Mono<Void> reapIdle() {
        Instant cutoff = context.clock().instant().minus(context.settings().idleTimeout());
        // A session whose CLI this pass stops sleeps at the next pass, not this one: its store writes (the state
        // change) are still on their way, and whether they had landed would otherwise decide by timing.
        java.util.Set<ThreadSession> stopped = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Mono<Void> stopIdle = Flux.fromIterable(all())
                .filter(s -> s.cliAlive() && s.state() == SessionState.IDLE && !s.turnRunning()
                        && s.waitingCount() == 0 && s.lastActivity().isBefore(cutoff))
                .doOnNext(stopped::add)
                .flatMap(s -> s.releaseIfIdle(Optional.of(Texts.idleStopped(context.settings().idleTimeout()))))
                .then();
        return stopIdle.then(Flux.defer(() -> Flux.fromIterable(all()))
                .filter(s -> !stopped.contains(s) && !s.cliAlive() && !s.state().active() && s.waitingCount() == 0
                        && s.lastActivity().isBefore(cutoff))
                .flatMap(ThreadSession::sleep)
                .then());
    }

    /** Runs {@link #reapIdle()} every {@code period} until disposed. */
    public Flux<Long> idleReaper(Duration period) {
        return Flux.interval(period, context.timers()).concatMap(tick -> reapIdle().onErrorResume(e -> {
            log.warn("idle reaper failed: {}", e.toString());
            return Mono.empty();
        }).thenReturn(tick));
    }

    // ---- restart ----

    /**
     * Restores every stored session (docs/architecture.md §3.5): live ones come back as {@code stopped}; one whose turn
     * was running says "Interrupted by a restart."; queued prompts are offered again in order (so those sessions
     * resume at once), the others resume on their next message.
     */
    public Mono<Integer> restore() {
        SessionStore store = context.store();
        return store.runningTurns().collectMap(t -> key(t.platform(), t.threadId()))
                .flatMap(running -> store.loadSessions()
                .concatMap(record -> store.inbox(record.platform(), record.threadId()).collectList()
                        .map(inbox -> restore(record, inbox, Optional.ofNullable(running.get(key(record.platform(),
                                record.threadId())))))
                        .onErrorResume(e -> Mono.just(failed(record, e))))
                .reduce(0, Integer::sum))
                .doOnNext(n -> publishPresence());
    }

    /**
     * One stored session back, {@code stopped}, its queued prompts offered again; 1 when restored. A turn whose agent
     * ran on through the restart ({@code running}) is taken up again, the prompts queued behind it.
     */
    private int restore(SessionStore.SessionRecord record, List<SessionStore.QueuedPrompt> inbox,
            Optional<SessionStore.RunningTurn> running) {
        String platform = record.platform();
        ChatPlatform chat = platforms.get(platform);
        if (chat == null) {
            log.atWarn().addKeyValue("thread", record.threadId())
                    .log("not restored: its platform {} is not configured", platform);
            return 0;
        }
        SessionState stored = SessionState.valueOf(record.state());
        Path.of(record.workDir()); // a row this build cannot use fails now, not when its thread is addressed
        if (!stored.active() && !record.turnRunning() && inbox.isEmpty() && running.isEmpty()) {
            // Nothing to do until its thread is addressed: the record alone is kept.
            dormant.put(key(platform, record.threadId()), record);
            return 1;
        }
        SessionState now = stored.active() ? SessionState.STOPPED : stored;
        ThreadSession session = new ThreadSession(new ThreadSession.Identity(platform, record.threadId(),
                record.title(), record.channelId(), record.guildId(), record.ownerId(), Path.of(record.workDir()),
                record.model(), record.createdAt()), context, chat, now, new Totals(record.promptsAnswered(),
                record.tokensIn(), record.tokensOut(), record.costUsd()), record.cliSessionId(),
                record.lastActivity(), true, modes(record));
        sessions.put(key(record.platform(), record.threadId()), session);
        log.atInfo().addKeyValue("thread", record.threadId())
                .log("restored: was {}{}, {} queued prompt(s)", stored,
                        record.turnRunning() ? " with a turn running" : "", inbox.size());
        // The running turn's own record decides, not the session's flag: a bot that died again while it took the turn
        // up had saved the session without it.
        if (running.isPresent()) {
            session.reattach(running.get());
            inbox.forEach(q -> session.offer(new Prompt(q.text(), q.authorId(), q.messageId(), q.receivedAt(),
                    q.images())));
            return 1;
        }
        Mono<Void> notice = record.turnRunning() ? session.sayInterruptedByRestart() : Mono.empty();
        notice.subscribe(null, e -> log.atWarn().addKeyValue("thread", record.threadId())
                .log("restart notice failed: {}", e.toString()),
                () -> inbox.forEach(q -> session.offer(new Prompt(q.text(), q.authorId(), q.messageId(),
                        q.receivedAt(), q.images()))));
        return 1;
    }

    /**
     * A stored session that cannot come back (a state or a directory this build does not understand, a broken row)
     * becomes {@code failed}, a final state, and says so in its thread; start-up goes on with the others.
     */
    private int failed(SessionStore.SessionRecord record, Throwable error) {
        log.atWarn().addKeyValue("thread", record.threadId()).log("could not be restored: {}", error.toString());
        ChatPlatform chat = record.platform() == null ? null : platforms.get(record.platform());
        if (chat == null || record.threadId() == null) {
            return 0;
        }
        Instant now = context.clock().instant();
        ThreadSession session = new ThreadSession(new ThreadSession.Identity(record.platform(), record.threadId(),
                String.valueOf(record.title()), String.valueOf(record.channelId()), String.valueOf(record.guildId()),
                String.valueOf(record.ownerId()), Path.of(""), Optional.empty(),
                record.createdAt() == null ? now : record.createdAt()), context, chat, SessionState.FAILED,
                Totals.ZERO, Optional.empty(), now);
        sessions.put(key(record.platform(), record.threadId()), session);
        session.fail(error.getMessage() == null ? error.toString() : error.getMessage());
        return 0;
    }

    // ---- drain (SIGTERM) ----

    /** Whether {@link #drain()} began: prompts are kept for the next run instead of started. */
    public boolean draining() {
        return draining.get();
    }

    /**
     * The sessions' part of a graceful shutdown (docs/architecture.md §3.12): from now on no prompt starts and no CLI
     * starts (new prompts are kept in the stored inbox and answered after the restart); threads with a running turn
     * are told, their turns interrupted; every CLI is stopped by the §3.4 sequence, all in parallel; then every
     * session's writes are flushed to the store. The caller bounds it with the drain deadline.
     */
    public Mono<Void> drain() {
        return Mono.defer(() -> {
            if (!draining.compareAndSet(false, true)) {
                return flush();
            }
            List<ThreadSession> all = all();
            log.info("draining {} sessions ({} with a CLI)", all.size(), all.stream().filter(ThreadSession::cliAlive)
                    .count());
            return Flux.fromIterable(all)
                    .flatMap(s -> s.drain().onErrorResume(e -> {
                        log.atWarn().addKeyValue("thread", s.identity().threadId())
                                .log("drain failed: {}", e.toString());
                        return Mono.empty();
                    }), Integer.MAX_VALUE)
                    .then(flush());
        });
    }

    /** Waits until every session's pending writes reached the store (for a drain). */
    public Mono<Void> flush() {
        return Flux.fromIterable(all()).flatMap(ThreadSession::flush).then();
    }
}
