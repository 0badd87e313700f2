package dev.claudebridge.ops;

import dev.claudebridge.core.port.AgentPermission;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.SessionState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The bot's meters, in one Prometheus registry that {@code /metrics} scrapes (docs/architecture.md §3.12). No meter is
 * tagged by thread, user or channel: the tags are states, outcomes, route templates and status codes, all of them
 * small fixed sets (docs/architecture.md, style P15).
 *
 * <p>Reactor Netty records its own meters (the ops server's and the Discord HTTP client's) into Micrometer's global
 * registry and offers no per-client registry, so this registry joins the global one while it is open and leaves it
 * on {@link #close()}. A cap on the {@code uri} tag of those meters guards against a mapping that lets ids through.
 *
 * <p>Every meter of the bot's own whose tags are a fixed set is registered at start-up, at zero: an alert or a
 * dashboard query finds it before the first event it counts (k8s/monitoring, docs/operations.md). Only the Discord
 * meters, tagged by the routes actually used, appear with their first request. The durations that are read as
 * percentiles (turns, edit lag, permission wait) are histograms with fixed buckets, so Prometheus can aggregate
 * them over time and pods.
 */
public final class BridgeMetrics implements SessionMetrics, AutoCloseable {

    /** Reactor Netty's meter name prefixes; their {@code uri} tag is capped. */
    private static final String NETTY_HTTP = "reactor.netty.http";
    private static final int MAX_URI_TAGS = 100;
    /** The outcomes a turn is stored with (ThreadSession.saveTurn). */
    private static final List<String> TURN_OUTCOMES = List.of("ok", "error", "interrupted", "died");
    /** Turns last from seconds to TURN_TIMEOUT (30 min by default). */
    private static final Duration[] TURN_BUCKETS = seconds(1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800);
    /** Live replies follow Discord's rate limits: about one edit interval (about a second) when all is well. */
    private static final Duration[] LAG_BUCKETS = millis(100, 250, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000,
            30000);
    /** A person answers within seconds to minutes; PERMISSION_TIMEOUT (5 min by default) ends the wait. */
    private static final Duration[] PERMISSION_BUCKETS = seconds(5, 15, 30, 60, 120, 180, 300, 600);

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final Map<String, Counter> turns = new ConcurrentHashMap<>();
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();
    private final Counter cost;
    private final Counter tokensIn;
    private final Counter tokensOut;
    private final Counter cliStarts;
    private final Counter cliDeaths;
    private final Counter cliSettingsIgnored;
    private final Counter storeWriteFailures;
    private final Map<SessionMetrics.Limit, Counter> refusals = new EnumMap<>(SessionMetrics.Limit.class);
    private final Timer editLag;
    private final Map<String, Timer> permissionWaits = new ConcurrentHashMap<>();
    private final AtomicInteger ready = new AtomicInteger();
    private final AtomicLong cliMemorySum = new AtomicLong();
    private final AtomicLong cliMemoryMax = new AtomicLong();
    private final AtomicReference<Supplier<List<Long>>> cliMemory = new AtomicReference<>(List::of);
    private final AtomicReference<SessionRegistry> sessions = new AtomicReference<>();

    BridgeMetrics() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(MeterFilter.maximumAllowableTags(NETTY_HTTP, "uri", MAX_URI_TAGS,
                MeterFilter.deny()));
        new JvmMemoryMetrics().bindTo(registry);
        this.gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        this.cost = Counter.builder("bridge.cost.usd").description("Cost of the turns as the CLI reported it, in USD")
                .register(registry);
        this.tokensIn = Counter.builder("bridge.tokens").tag("direction", "in")
                .description("Tokens of the turns (input includes cache)").register(registry);
        this.tokensOut = Counter.builder("bridge.tokens").tag("direction", "out")
                .description("Tokens of the turns (input includes cache)").register(registry);
        this.cliStarts = Counter.builder("bridge.cli.starts").description("claude CLI processes started")
                .register(registry);
        this.cliDeaths = Counter.builder("bridge.cli.deaths")
                .description("claude CLI processes that exited without the bot asking them to").register(registry);
        this.cliSettingsIgnored = Counter.builder("bridge.cli.settings.ignored")
                .description("stderr lines of a claude CLI saying that it ignored settings").register(registry);
        for (SessionState state : SessionState.values()) {
            Gauge.builder("bridge.sessions", sessions, ref -> count(ref.get(), state))
                    .tag("state", state.name().toLowerCase())
                    .description("Sessions by state")
                    .register(registry);
        }
        Gauge.builder("bridge.clis.live", sessions, ref -> ref.get() == null ? 0 : ref.get().liveClis())
                .description("CLI processes holding a MAX_LIVE_CLIS slot").register(registry);
        Gauge.builder("bridge.queue.depth", sessions, ref -> ref.get() == null ? 0 : ref.get().all().stream()
                        .mapToInt(s -> s.waitingCount()).sum())
                .description("Prompts waiting behind a running turn, over all sessions").register(registry);
        Gauge.builder("bridge.ready", ready, AtomicInteger::get)
                .description("1 when /readyz holds (gateway connected, database answering, not draining), else 0;"
                        + " asked afresh at each scrape")
                .register(registry);
        Gauge.builder("bridge.cli.memory.rss", cliMemorySum, AtomicLong::get).baseUnit("bytes")
                .description("Resident memory of all live claude CLI processes together (VmRSS), sampled at scrape")
                .register(registry);
        Gauge.builder("bridge.cli.memory.rss.max", cliMemoryMax, AtomicLong::get).baseUnit("bytes")
                .description("Resident memory of the largest live claude CLI process (VmRSS), sampled at scrape")
                .register(registry);
        for (String outcome : TURN_OUTCOMES) {
            turnCounter(outcome);
            turnTimer(outcome);
        }
        this.storeWriteFailures = Counter.builder("bridge.store.write.failures")
                .description("Writes to the session store that failed (logged; the session went on)")
                .register(registry);
        for (SessionMetrics.Limit limit : SessionMetrics.Limit.values()) {
            refusals.put(limit, Counter.builder("bridge.sessions.refused")
                    .tag("limit", limit.name().toLowerCase(Locale.ROOT))
                    .description("Sessions refused at MAX_SESSIONS_PER_USER (per_user) or CLIs at MAX_LIVE_CLIS"
                            + " (live_clis)")
                    .register(registry));
        }
        this.editLag = Timer.builder("bridge.edit.lag").serviceLevelObjectives(LAG_BUCKETS)
                .description("How long the oldest change shown by a live reply's update waited to reach the chat")
                .register(registry);
        for (AgentPermission.Outcome outcome : AgentPermission.Outcome.values()) {
            permissionTimer(outcome.name().toLowerCase(Locale.ROOT));
        }
        permissionTimer(SessionMetrics.TIMED_OUT);
        Metrics.globalRegistry.add(registry);
    }

    /** The registry the adapters record into (the Discord client's request meters). */
    public MeterRegistry registry() {
        return registry;
    }

    /** The session gauges follow this registry from now on (it exists only once the gateway is logged in). */
    public void watch(SessionRegistry registry) {
        sessions.set(registry);
    }

    /**
     * The CLI processes' resident memory, sampled at each scrape: {@code sample} reads /proc and is called on the
     * scrape's scheduler only.
     */
    public void watchCliMemory(Supplier<List<Long>> sample) {
        cliMemory.set(sample);
    }

    /** The last readiness answer, for the {@code bridge_ready} gauge. */
    void ready(boolean now) {
        ready.set(now ? 1 : 0);
    }

    /**
     * The Prometheus text exposition of every meter. Blocks briefly (the CLIs' memory is read from /proc, gauges walk
     * the sessions): call it on a scheduler where blocking is allowed.
     */
    String scrape() {
        List<Long> rss = cliMemory.get().get();
        cliMemorySum.set(rss.stream().mapToLong(Long::longValue).sum());
        cliMemoryMax.set(rss.stream().mapToLong(Long::longValue).max().orElse(0));
        return registry.scrape();
    }

    private Counter turnCounter(String outcome) {
        return turns.computeIfAbsent(outcome, o -> Counter.builder("bridge.turns").tag("outcome", o)
                .description("Turns by outcome").register(registry));
    }

    private Timer turnTimer(String outcome) {
        return durations.computeIfAbsent(outcome, o -> Timer.builder("bridge.turn.duration").tag("outcome", o)
                .serviceLevelObjectives(TURN_BUCKETS)
                .description("Wall time of a turn, from its start to its result").register(registry));
    }

    private Timer permissionTimer(String outcome) {
        return permissionWaits.computeIfAbsent(outcome, o -> Timer.builder("bridge.permission.wait")
                .tag("outcome", o).serviceLevelObjectives(PERMISSION_BUCKETS)
                .description("From a permission request shown in the chat to its answer, timeout or withdrawal")
                .register(registry));
    }

    @Override
    public void turnEnded(String outcome, Duration took, BigDecimal costUsd, long in, long out) {
        turnCounter(outcome).increment();
        turnTimer(outcome).record(took);
        cost.increment(costUsd.doubleValue());
        tokensIn.increment(in);
        tokensOut.increment(out);
    }

    @Override
    public void cliStarted() {
        cliStarts.increment();
    }

    @Override
    public void cliDied() {
        cliDeaths.increment();
    }

    @Override
    public void cliSettingsIgnored() {
        cliSettingsIgnored.increment();
    }

    @Override
    public void storeWriteFailed() {
        storeWriteFailures.increment();
    }

    @Override
    public void sessionRefused(SessionMetrics.Limit limit) {
        refusals.get(limit).increment();
    }

    @Override
    public void replyShown(Duration lag) {
        editLag.record(lag);
    }

    @Override
    public void permissionOver(String outcome, Duration waited) {
        permissionTimer(outcome).record(waited);
    }

    private static Duration[] seconds(long... values) {
        return java.util.Arrays.stream(values).mapToObj(Duration::ofSeconds).toArray(Duration[]::new);
    }

    private static Duration[] millis(long... values) {
        return java.util.Arrays.stream(values).mapToObj(Duration::ofMillis).toArray(Duration[]::new);
    }

    private static double count(SessionRegistry registry, SessionState state) {
        return registry == null ? 0 : registry.count(state);
    }

    @Override
    public void close() {
        Metrics.globalRegistry.remove(registry);
        gc.close();
        registry.close();
    }
}
