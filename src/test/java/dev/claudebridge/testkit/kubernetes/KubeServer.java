package dev.claudebridge.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The fake API server on one port of 127.0.0.1, plain HTTP: {@code /version}, {@code /api}, and core v1 pods
 * (with {@code log}, {@code attach}, {@code exec}), persistentvolumeclaims and secrets in namespaces, lists and
 * watches. A watch is served both ways the API server serves one: as a WebSocket (fabric8's
 * default: one JSON event per text message) and as a chunked HTTP stream of newline-delimited events. Every request
 * needs a bearer token (any); errors are {@code v1/Status} objects. RBAC is not enforced but for two places where
 * fabric8's DSL quietly reaches beyond the bot's Role in k8s-contract.md: cluster-wide lists and watches
 * ({@code /api/v1/pods}) and collection deletes ({@code withLabel(..).delete()}) are 403 Forbidden, as they would be
 * for the bot's ServiceAccount. Handlers run on the fake's own scheduler, never
 * on the event loop, since some of them touch files and start processes. Public only so that
 * {@code FakeKubernetes} (one package up) can start it.
 */
public final class KubeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KubeServer.class);

    final KubeStore store = new KubeStore();
    final Claims claims;
    final Kubelet kubelet;
    private final ResourceApi resources;
    private final PodStreams streams;
    private final Path stateRoot;
    private final Scheduler api = Schedulers.newBoundedElastic(16, 10_000, "fake-kube-api", 60, true);
    private final List<KubeRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private final DisposableServer server;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private KubeServer(Path claimsRoot) throws java.io.IOException {
        this.claims = new Claims(claimsRoot);
        this.stateRoot = Files.createTempDirectory("fake-kubelet-");
        this.kubelet = new Kubelet(store, claims, stateRoot);
        this.resources = new ResourceApi(store, kubelet, claims);
        this.streams = new PodStreams(store, kubelet);
        this.server = HttpServer.create().host("127.0.0.1").port(0)
                .handle(this::route)
                .bindNow(Duration.ofSeconds(10));
    }

    public static KubeServer start(Path claimsRoot) {
        try {
            return new KubeServer(claimsRoot);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public int port() {
        return server.port();
    }

    // ---- for FakeKubernetes

    public List<KubeRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public Optional<JsonNode> object(String resource, String namespace, String name) {
        return store.get(resource, namespace, name).map(o -> o);
    }

    public List<JsonNode> objects(String resource, String namespace) {
        return new ArrayList<>(store.list(resource, namespace, o -> true).items());
    }

    public Path claimDir(String namespace, String name) {
        return claims.dir(namespace, name);
    }

    public boolean kill(String namespace, String name, boolean asOom) {
        return kubelet.kill(namespace, name, asOom);
    }

    public int dropAttachments(String namespace, String name) {
        return streams.dropAttachments(namespace, name);
    }

    public void createObject(String resource, String namespace, ObjectNode body) {
        resources.create(resource, namespace, body);
    }

    // ---- routing

    private Mono<Void> route(HttpServerRequest request, HttpServerResponse response) {
        QueryStringDecoder decoder = new QueryStringDecoder(request.uri());
        String path = decoder.path();
        Query query = new Query(decoder.parameters());
        requests.add(new KubeRequest(Instant.now(), request.method().name(), path, decoder.parameters(),
                isWebSocket(request)));
        return request.receive().aggregate().asString().defaultIfEmpty("")
                .publishOn(api)
                .flatMap(body -> serve(request, response, path, query, body))
                .onErrorResume(KubeError.class, e -> json(response, e.code, e.status()))
                .onErrorResume(e -> {
                    log.warn("fake kube-apiserver failed on {} {}", request.method(), path, e);
                    ObjectNode s = KubeError.badRequest(e.toString()).status();
                    s.put("code", 500);
                    s.put("reason", "InternalError");
                    return json(response, 500, s);
                });
    }

    private Mono<Void> serve(HttpServerRequest request, HttpServerResponse response, String path, Query q,
            String body) {
        String method = request.method().name();
        if (path.equals("/version") || path.equals("/healthz") || path.equals("/readyz") || path.equals("/livez")) {
            if (path.equals("/version")) {
                return json(response, 200, version());
            }
            return response.status(200).header("Content-Type", "text/plain").sendString(Mono.just("ok")).then();
        }
        String auth = request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.substring(7).isBlank()) {
            throw KubeError.unauthorized();
        }
        if (path.equals("/api")) {
            ObjectNode v = KubeJson.object();
            v.put("kind", "APIVersions");
            v.putArray("versions").add("v1");
            ObjectNode a = v.putArray("serverAddressByClientCIDRs").addObject();
            a.put("clientCIDR", "0.0.0.0/0");
            a.put("serverAddress", "127.0.0.1:" + port());
            return json(response, 200, v);
        }
        if (!path.startsWith("/api/v1/")) {
            throw KubeError.noSuchPath();
        }
        String[] s = path.substring("/api/v1/".length()).split("/");
        if (s.length == 1 && ResourceApi.KINDS.containsKey(s[0])) {
            // the bot's Role is namespaced (k8s-contract.md): a cluster-wide list or watch is denied, as there
            throw KubeError.forbidden(q.flag("watch") ? "watch" : method.equals("GET") ? "list" : "deletecollection",
                    s[0], null);
        }
        if (s.length < 2 || !s[0].equals("namespaces")) {
            throw KubeError.noSuchPath();
        }
        String ns = s[1];
        if (s.length == 2) {
            if (!method.equals("GET")) {
                throw KubeError.methodNotAllowed();
            }
            return json(response, 200, namespace(ns));
        }
        String resource = s[2];
        if (!ResourceApi.KINDS.containsKey(resource)) {
            throw KubeError.noSuchPath();
        }
        if (s.length == 3) {
            return collection(request, response, method, resource, ns, q, body);
        }
        String name = s[3];
        if (s.length == 4) {
            return switch (method) {
                case "GET" -> answer(response, resources.get(resource, ns, name));
                case "DELETE" -> answer(response, resources.delete(resource, ns, name, grace(q, body)));
                default -> throw KubeError.methodNotAllowed();
            };
        }
        if (s.length == 5 && resource.equals("pods")) {
            String sub = s[4];
            switch (sub) {
                case "log" -> {
                    if (!method.equals("GET")) {
                        throw KubeError.methodNotAllowed();
                    }
                    return response.status(200).header("Content-Type", "text/plain")
                            .send(streams.log(ns, name, q)).then();
                }
                case "attach", "exec" -> {
                    if (!isWebSocket(request)) {
                        // SPDY is what else a client could ask for; this fake speaks only WebSocket
                        throw KubeError.badRequest("Upgrade request required");
                    }
                    return sub.equals("attach") ? streams.attach(response, ns, name, q)
                            : streams.exec(response, ns, name, q);
                }
                case "status" -> {
                    if (method.equals("GET")) {
                        return answer(response, resources.get(resource, ns, name));
                    }
                    throw KubeError.methodNotAllowed();
                }
                default -> throw KubeError.noSuchPath();
            }
        }
        throw KubeError.noSuchPath();
    }

    private Mono<Void> collection(HttpServerRequest request, HttpServerResponse response, String method,
            String resource, String ns, Query q, String body) {
        if (method.equals("POST")) {
            if (ns == null) {
                throw KubeError.methodNotAllowed();
            }
            return answer(response, resources.create(resource, ns, KubeJson.parseObject(body)));
        }
        if (method.equals("DELETE")) {
            // fabric8 sends a collection DELETE for withLabel(..).delete(); the contract's Role has no
            // deletecollection, so a real cluster answers 403 (and fabric8 falls back only on 405): delete by name
            throw KubeError.forbidden("deletecollection", resource, ns);
        }
        if (!method.equals("GET")) {
            throw KubeError.methodNotAllowed();
        }
        Predicate<JsonNode> filter = Selector.labels(q.first("labelSelector")).and(Selector.fields(q.first(
                "fieldSelector")));
        if (!q.flag("watch")) {
            return answer(response, resources.list(resource, ns, filter));
        }
        // allowWatchBookmarks is accepted and ignored: a bookmark is only ever a hint
        Flux<ObjectNode> events = store.watch(resource, ns, filter, q.first("resourceVersion"));
        if (q.first("timeoutSeconds") != null) {
            events = events.take(Duration.ofSeconds(Long.parseLong(q.first("timeoutSeconds"))));
        }
        Flux<String> lines = events.map(e -> KubeJson.write(e) + "\n");
        if (isWebSocket(request)) {
            WebsocketServerSpec spec = WebsocketServerSpec.builder().maxFramePayloadLength(1 << 24).build();
            return response.sendWebsocket((in, out) -> Mono.firstWithSignal(
                    out.sendString(lines).then(), in.receiveFrames().then()), spec);
        }
        return response.status(200).header("Content-Type", "application/json")
                .header(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .sendString(lines).then();
    }

    /** The grace period of a delete: the {@code DeleteOptions} body's, else the query's. */
    private static Optional<Long> grace(Query q, String body) {
        if (!body.isBlank()) {
            JsonNode options = KubeJson.parseObject(body);
            if (options.hasNonNull("gracePeriodSeconds")) {
                return Optional.of(options.path("gracePeriodSeconds").asLong());
            }
        }
        String fromQuery = q.first("gracePeriodSeconds");
        return fromQuery == null ? Optional.empty() : Optional.of(Long.parseLong(fromQuery));
    }

    private static boolean isWebSocket(HttpServerRequest request) {
        return request.requestHeaders().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private static Mono<Void> answer(HttpServerResponse response, ResourceApi.Answer a) {
        return json(response, a.code(), a.body());
    }

    private static Mono<Void> json(HttpServerResponse response, int code, JsonNode body) {
        return response.status(code).header("Content-Type", "application/json")
                .sendString(Mono.just(KubeJson.write(body))).then();
    }

    private static ObjectNode namespace(String name) {
        ObjectNode n = KubeJson.object();
        n.put("kind", "Namespace");
        n.put("apiVersion", "v1");
        ObjectNode meta = n.putObject("metadata");
        meta.put("name", name);
        meta.with("labels").put("kubernetes.io/metadata.name", name);
        n.putObject("spec").putArray("finalizers").add("kubernetes");
        n.putObject("status").put("phase", "Active");
        return n;
    }

    private static ObjectNode version() {
        ObjectNode v = KubeJson.object();
        v.put("major", "1");
        v.put("minor", "34");
        v.put("gitVersion", "v1.34.0-fake");
        v.put("gitCommit", "0000000000000000000000000000000000000000");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "2025-08-27T00:00:00Z");
        v.put("goVersion", "go1.24.6");
        v.put("compiler", "gc");
        v.put("platform", "linux/amd64");
        return v;
    }

    /** Kills every pod process, stops the server, deletes the kubelet's state (claim directories stay). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        kubelet.close();
        server.disposeNow(Duration.ofSeconds(5));
        api.dispose();
        try (var all = Files.walk(stateRoot)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            log.debug("could not delete {}: {}", stateRoot, e.toString());
        }
    }
}
