package dev.claudebridge.ops;

import java.util.List;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The operations adapter's entry point (docs/architecture.md §2, §3.12): the bot's meters and the HTTP endpoint that
 * exposes them with health and readiness.
 *
 * <pre>{@code
 * BridgeMetrics metrics = Ops.metrics();
 * Ops.serve(config.opsPort(), List.of(new ReadinessCheck("database", store::ping)), metrics, blocking)
 *         .flatMap(ops -> runTheBot().then(ops.stop()))
 *         .doFinally(s -> metrics.close());
 * }</pre>
 */
public final class Ops {

    private Ops() {
    }

    /** A fresh registry with the JVM's meters bound; close it when the bot stops. */
    public static BridgeMetrics metrics() {
        return new BridgeMetrics();
    }

    /**
     * Binds the endpoint on {@code port} (0: any free port, see {@link OpsServer#port()}).
     *
     * @param checks  what {@code /readyz} requires, each asked afresh per request within 2 s
     * @param scrapes a scheduler that may block briefly, where {@code /metrics} reads the meters
     */
    public static Mono<OpsServer> serve(String bindAddress, int port, List<ReadinessCheck> checks,
            BridgeMetrics metrics, Scheduler scrapes) {
        return OpsServer.start(bindAddress, port, new Readiness(checks), metrics, scrapes);
    }
}
