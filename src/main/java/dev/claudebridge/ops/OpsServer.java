package dev.claudebridge.ops;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The operations endpoint (docs/architecture.md §3.12) on {@code OPS_PORT}: {@code /healthz} (the process answers),
 * {@code /readyz} (every readiness check holds) and {@code /metrics} (Prometheus text format). It starts before
 * anything else, so the kubelet's startup probe is answered while the store opens and the gateway logs in.
 */
public final class OpsServer {

    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
    static final Set<String> PATHS = Set.of("/healthz", "/readyz", "/metrics");
    private static final String TEXT = "text/plain; charset=utf-8";
    /** The Prometheus text format 0.0.4 that {@code PrometheusMeterRegistry.scrape()} writes. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final DisposableServer server;

    private OpsServer(DisposableServer server) {
        this.server = server;
    }

    /**
     * @param scrapes where a scrape runs: gauges are read then, and some of them (CPU, memory pools) read /proc
     *                or walk every session, which is not work for the HTTP event loop
     */
    static Mono<OpsServer> start(String bindAddress, int port, Readiness readiness, BridgeMetrics metrics,
            Scheduler scrapes) {
        return HttpServer.create()
                .host(bindAddress)
                .port(port)
                // The uri tag of the server's meters is the path for the three endpoints and "other" for anything
                // else, so probing random paths cannot grow the registry.
                .metrics(true, uri -> PATHS.contains(uri) ? uri : "other")
                .route(routes -> routes
                        .get("/healthz", (request, response) -> response
                                .header(HttpHeaderNames.CONTENT_TYPE, TEXT)
                                .sendString(Mono.just("ok\n")))
                        .get("/readyz", (request, response) -> readiness.evaluate()
                                .doOnNext(answer -> metrics.ready(answer.ready()))
                                .flatMap(answer -> response
                                        .status(answer.ready() ? HttpResponseStatus.OK
                                                : HttpResponseStatus.SERVICE_UNAVAILABLE)
                                        .header(HttpHeaderNames.CONTENT_TYPE, TEXT)
                                        .sendString(Mono.just(answer.body()))
                                        .then()))
                        // Readiness is asked afresh for the bridge_ready gauge (within Readiness.CHECK_TIMEOUT), so
                        // the alert on it does not depend on anyone having asked /readyz lately.
                        .get("/metrics", (request, response) -> response
                                .header(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT)
                                .sendString(readiness.evaluate()
                                        .doOnNext(answer -> metrics.ready(answer.ready()))
                                        .then(Mono.fromCallable(metrics::scrape).subscribeOn(scrapes)))))
                .bind()
                .map(OpsServer::new)
                .doOnNext(ops -> log.info("ops endpoint on {}:{}: /healthz /readyz /metrics", bindAddress, ops.port()));
    }

    /** The bound port (the chosen one when {@code OPS_PORT=0}). */
    public int port() {
        return server.port();
    }

    /** Stops listening; completes when the port is released. */
    public Mono<Void> stop() {
        return Mono.defer(() -> {
            server.dispose();
            return server.onDispose();
        });
    }
}
