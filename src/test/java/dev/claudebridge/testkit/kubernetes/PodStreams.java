package dev.claudebridge.testkit.kubernetes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;

/**
 * A pod's streams: {@code log}, and {@code attach} and {@code exec} over the WebSocket channel protocol
 * {@code v4.channel.k8s.io} (the only subprotocol fabric8 8.0.0 asks for: {@code PodOperationsImpl} builds its
 * WebSocket with {@code .subprotocol("v4.channel.k8s.io")}). Each binary message starts with its channel: 0 stdin,
 * 1 stdout, 2 stderr, 3 the final {@code Status} as JSON, 4 terminal resize (ignored: no TTY here). As the
 * kubelet's stream server does, the lowest output channel first gets an empty message, and the session ends with
 * the status on channel 3 and a close. (The kubelet also offers {@code v5.channel.k8s.io} and the base64 variants;
 * this fake offers only v4, so a client asking for nothing else fails the handshake here instead of later.)
 *
 * <p>{@code sinceTime} is compared at whole seconds: the API server decodes it with its fraction, but passes the
 * log options on to the kubelet as query parameters, and {@code LogLocation} (pkg/registry/core/pod/strategy.go)
 * writes {@code opts.SinceTime.Format(time.RFC3339)}, without a fraction: {@code 12:00:05.900Z} reaches the kubelet
 * as {@code 12:00:05Z}, and the lines of that whole second come back. A client resuming a log from the last
 * timestamp it saw gets lines again and must skip what it had.
 */
final class PodStreams {
    private static final Logger log = LoggerFactory.getLogger(PodStreams.class);
    static final String CHANNEL_PROTOCOL = "v4.channel.k8s.io";

    private final KubeStore store;
    private final Kubelet kubelet;

    /** The attach connections open now, by pod: closed from outside as a kubelet's idle limit closes them. */
    private final java.util.Map<String, java.util.Set<reactor.core.publisher.Sinks.Empty<Void>>> attached =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Closes every attach connection to the pod, as the kubelet does when one has been idle for its
     * {@code streamingConnectionIdleTimeout} (4 h by default); the container and its stdin go on. How many it closed.
     */
    int dropAttachments(String namespace, String name) {
        var open = attached.getOrDefault(namespace + "/" + name, java.util.Set.of());
        int n = 0;
        for (var drop : List.copyOf(open)) {
            if (drop.tryEmitEmpty().isSuccess()) {
                n++;
            }
        }
        return n;
    }

    PodStreams(KubeStore store, Kubelet kubelet) {
        this.store = store;
        this.kubelet = kubelet;
    }

    // ---- log

    /** The log's lines as the response body: checked and cut here, streamed by the caller. */
    Flux<ByteBuf> log(String namespace, String name, Query q) {
        ObjectNode pod = store.require("pods", namespace, name);
        checkContainer(pod, q.first("container"));
        Kubelet.Running r = kubelet.pod(namespace, name).orElseThrow(() -> KubeError.notFound("pods", name));
        if (r.container == null) {
            throw waiting(pod, r);
        }
        if (q.flag("previous")) {
            // restartPolicy Never: there is never a previous container (kubelet_pods.go's message)
            throw KubeError.badRequest("previous terminated container \"" + PodStatus.containerName(pod)
                    + "\" in pod \"" + name + "\" not found");
        }
        boolean follow = q.flag("follow");
        boolean timestamps = q.flag("timestamps");
        Instant since = null;
        String sinceTime = q.first("sinceTime");
        if (sinceTime != null) {
            try {
                since = OffsetDateTime.parse(sinceTime).toInstant().truncatedTo(ChronoUnit.SECONDS);
            } catch (DateTimeParseException e) {
                throw KubeError.badRequest("parsing time \"" + sinceTime + "\" as \"2006-01-02T15:04:05Z07:00\": "
                        + "cannot parse");
            }
        } else if (q.first("sinceSeconds") != null) {
            since = Instant.now().minusSeconds(Long.parseLong(q.first("sinceSeconds")));
        }
        int from = 0;
        if (q.first("tailLines") != null) {
            from = Math.max(0, r.log.size() - Integer.parseInt(q.first("tailLines")));
        }
        Instant after = since;
        return r.log.read(from, follow)
                .filter(line -> after == null || !line.time().isBefore(after))
                .map(line -> {
                    byte[] prefix = timestamps ? (KubeJson.logTime(line.time()) + " ").getBytes(StandardCharsets.UTF_8)
                            : new byte[0];
                    return Unpooled.wrappedBuffer(prefix, line.bytes());
                });
    }

    // ---- attach and exec

    Mono<Void> attach(HttpServerResponse response, String namespace, String name, Query q) {
        Kubelet.Running r = streamable(namespace, name, q, "attach");
        Container c = r.container;
        if (q.flag("stdin") && !c.spec().stdin()) {
            // the runtime refuses stdin for a container made without it (the message is this fake's own)
            throw KubeError.badRequest("stdin is not enabled for container \"" + PodStatus.containerName(
                    store.require("pods", namespace, name)) + "\" (spec.containers[0].stdin is false)");
        }
        boolean stdout = q.flag("stdout");
        boolean stderr = q.flag("stderr");
        Flux<WebSocketFrame> output = r.log.read(r.log.size(), true)
                .filter(line -> line.stderr() ? stderr : stdout)
                .map(line -> frame(line.stderr() ? 2 : 1, line.bytes()));
        Flux<WebSocketFrame> frames = Flux.concat(opening(stdout, stderr), output,
                Mono.fromFuture(c.exited()).map(code -> frame(3, status(null, 0))));
        reactor.core.publisher.Sinks.Empty<Void> drop = reactor.core.publisher.Sinks.empty();
        var open = attached.computeIfAbsent(namespace + "/" + name,
                k -> java.util.concurrent.ConcurrentHashMap.newKeySet());
        open.add(drop);
        return response.sendWebsocket((in, out) -> {
            Mono<Void> input = input(in, c::writeStdin).then(); // a detach never closes the container's stdin
            return Mono.firstWithSignal(out.sendObject(frames).then(), input, drop.asMono())
                    .doFinally(sig -> open.remove(drop));
        }, spec());
    }

    Mono<Void> exec(HttpServerResponse response, String namespace, String name, Query q) {
        Kubelet.Running r = streamable(namespace, name, q, "exec");
        List<String> command = q.all("command");
        if (command.isEmpty()) {
            throw KubeError.badRequest("you must specify at least 1 command");
        }
        Process p;
        try {
            p = r.container.exec(command);
        } catch (IOException e) {
            throw KubeError.badRequest("error executing command " + command + ": " + e.getMessage());
        }
        ExecutorService threads = kubelet.threads();
        Sinks.Many<WebSocketFrame> sink = Sinks.many().unicast().onBackpressureBuffer();
        boolean stdout = q.flag("stdout");
        boolean stderr = q.flag("stderr");
        Object lock = new Object();
        CompletableFuture<Void> out = chunks(p.getInputStream(), 1, stdout, sink, lock, threads);
        CompletableFuture<Void> err = chunks(p.getErrorStream(), 2, stderr, sink, lock, threads);
        CompletableFuture.allOf(out, err).thenRunAsync(() -> {
            int code;
            try {
                code = p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                code = -1;
            }
            synchronized (lock) {
                sink.tryEmitNext(frame(3, status(command, code)));
                sink.tryEmitComplete();
            }
        }, threads);
        OutputStream stdin = p.getOutputStream();
        ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon()
                .name("fake-kubelet-exec-stdin").factory());
        if (!q.flag("stdin")) {
            writer.execute(() -> closeQuietly(stdin));
        }
        Flux<WebSocketFrame> frames = Flux.concat(opening(stdout, stderr), sink.asFlux());
        return response.sendWebsocket((in, o) -> {
            Mono<Void> input = input(in, bytes -> writer.execute(() -> {
                try {
                    stdin.write(bytes);
                    stdin.flush();
                } catch (IOException e) {
                    // the command closed its stdin
                }
            })).then(Mono.fromRunnable(() -> writer.execute(() -> closeQuietly(stdin))));
            return Mono.firstWithSignal(o.sendObject(frames).then(), input)
                    .doFinally(s -> writer.execute(writer::shutdown));
        }, spec());
    }

    private Kubelet.Running streamable(String namespace, String name, Query q, String action) {
        ObjectNode pod = store.require("pods", namespace, name);
        String phase = pod.path("status").path("phase").asText("Pending");
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
            throw KubeError.badRequest(action.equals("exec")
                    ? "cannot exec into a container in a completed pod; current phase is " + phase
                    : "cannot attach a container in a completed pod; current phase is " + phase);
        }
        checkContainer(pod, q.first("container"));
        Kubelet.Running r = kubelet.pod(namespace, name).orElseThrow(() -> KubeError.notFound("pods", name));
        if (r.container == null || !r.container.running()) {
            throw waiting(pod, r);
        }
        return r;
    }

    private static void checkContainer(ObjectNode pod, String container) {
        if (container != null && !container.isEmpty() && !container.equals(PodStatus.containerName(pod))) {
            throw KubeError.badRequest("container " + container + " is not valid for pod "
                    + pod.path("metadata").path("name").asText());
        }
    }

    /** The kubelet's answer for a container not started yet (kubelet_pods.go, validateContainerLogStatus). */
    private static KubeError waiting(ObjectNode pod, Kubelet.Running r) {
        return KubeError.badRequest("container \"" + PodStatus.containerName(pod) + "\" in pod \""
                + pod.path("metadata").path("name").asText() + "\" is waiting to start: " + r.waitingReason);
    }

    /** Channel-0 payloads from the client, handed on in order; resize (4) and anything else is dropped. */
    private static Flux<Void> input(WebsocketInbound in, java.util.function.Consumer<byte[]> stdin) {
        return in.aggregateFrames(1 << 24).receiveFrames()
                .doOnNext(f -> {
                    if (!(f instanceof BinaryWebSocketFrame) && !(f instanceof TextWebSocketFrame)) {
                        return;
                    }
                    ByteBuf content = f.content();
                    if (content.readableBytes() < 1) {
                        return;
                    }
                    byte channel = content.readByte();
                    if (channel == 0 && content.readableBytes() > 0) {
                        byte[] bytes = new byte[content.readableBytes()];
                        content.readBytes(bytes);
                        stdin.accept(bytes);
                    }
                })
                .onErrorResume(e -> {
                    log.debug("stream input ended: {}", e.toString());
                    return Flux.empty();
                })
                .thenMany(Flux.empty());
    }

    /**
     * The one empty message the kubelet's stream server sends when the connection is established: on stdout if
     * asked for, else stderr, else the error channel (remotecommand/websocket.go, "Send an empty message to the
     * lowest writable channel").
     */
    private static Flux<WebSocketFrame> opening(boolean stdout, boolean stderr) {
        return Flux.defer(() -> Flux.just(frame(stdout ? 1 : stderr ? 2 : 3, new byte[0])));
    }

    private static WebSocketFrame frame(int channel, byte[] payload) {
        return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) channel}, payload));
    }

    /**
     * The kubelet's final status: {@code Success}, or {@code Failure}/{@code NonZeroExitCode} with the code as the
     * message of the cause whose reason (the JSON name of {@code StatusCause.Type}) is {@code ExitCode}, which is
     * what fabric8's {@code ExecWebSocketListener.parseExitCode} reads.
     */
    static byte[] status(List<String> command, int code) {
        ObjectNode s = KubeJson.object();
        s.putObject("metadata");
        if (code == 0) {
            s.put("status", "Success");
        } else {
            s.put("status", "Failure");
            s.put("message", "command terminated with non-zero exit code: error executing command "
                    + command + ", exit code " + code);
            s.put("reason", "NonZeroExitCode");
            ObjectNode cause = s.putObject("details").putArray("causes").addObject();
            cause.put("reason", "ExitCode");
            cause.put("message", Integer.toString(code));
        }
        return KubeJson.write(s).getBytes(StandardCharsets.UTF_8);
    }

    private static CompletableFuture<Void> chunks(java.io.InputStream in, int channel, boolean wanted,
            Sinks.Many<WebSocketFrame> sink, Object lock, ExecutorService threads) {
        return CompletableFuture.runAsync(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (wanted && n > 0) {
                        byte[] copy = java.util.Arrays.copyOf(buf, n);
                        synchronized (lock) {
                            sink.tryEmitNext(frame(channel, copy));
                        }
                    }
                }
            } catch (IOException e) {
                // the command's output ended
            }
        }, threads);
    }

    private static void closeQuietly(OutputStream s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static WebsocketServerSpec spec() {
        return WebsocketServerSpec.builder().protocols(CHANNEL_PROTOCOL).maxFramePayloadLength(1 << 24).build();
    }
}
