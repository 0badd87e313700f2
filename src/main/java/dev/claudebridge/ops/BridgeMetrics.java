package dev.claudebridge.ops;

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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bot's meters, in one Prometheus registry that {@code /metrics} scrapes (docs/architecture.md §3.12). No meter is
 * tagged by thread, user or channel: the tags are states, outcomes, route templates and status codes, all of them
 * small fixed sets (docs/architecture.md, style P15).
 *
 * <p>Reactor Netty records its own meters (the ops server's and the Discord HTTP client's) into Micrometer's global
 * registry and offers no per-client registry, so this registry joins the global one while it is open and leaves it
 * on {@link #close()}. A cap on the {@code uri} tag of those meters guards against a mapping that lets ids through.
 */
public final class BridgeMetrics implements SessionMetrics, AutoCloseable {

    /** Reactor Netty's meter name prefixes; their {@code uri} tag is capped. */
    private static final String NETTY_HTTP = "reactor.netty.http";
    private static final int MAX_URI_TAGS = 100;

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

    /** The Prometheus text exposition of every meter. */
    String scrape() {
        return registry.scrape();
    }

    @Override
    public void turnEnded(String outcome, Duration took, BigDecimal costUsd, long in, long out) {
        turns.computeIfAbsent(outcome, o -> Counter.builder("bridge.turns").tag("outcome", o)
                .description("Turns by outcome").register(registry)).increment();
        durations.computeIfAbsent(outcome, o -> Timer.builder("bridge.turn.duration").tag("outcome", o)
                .description("Wall time of a turn, from its start to its result").register(registry)).record(took);
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

    private static double count(SessionRegistry registry, SessionState state) {
        return registry == null ? 0 : registry.all().stream().filter(s -> s.state() == state).count();
    }

    @Override
    public void close() {
        Metrics.globalRegistry.remove(registry);
        gc.close();
        registry.close();
    }
}
