package dev.claudebridge.agent.kubernetes;

import dev.claudebridge.agent.process.CliChannel;
import dev.claudebridge.agent.process.ExitStatus;
import dev.claudebridge.agent.process.Line;
import dev.claudebridge.agent.process.LineFramer;
import dev.claudebridge.agent.process.StdinClosedException;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * A CLI in its own pod, as a session talks to it: stdout from the container's log (followed, with timestamps),
 * stdin over attach, the exit from the pod's status (exit code, reason, and the last stderr lines as the termination
 * message). The log is followed again from the last line handled when its stream ends early (an API server that
 * drops it): {@code sinceTime} has whole seconds only, so the lines of that second that were handled already are
 * skipped, and no line is handled twice. A pod's CLI never sees the end of its stdin, so a stop deletes the pod.
 */
public final class PodChannel implements CliChannel {

    private static final Logger log = LoggerFactory.getLogger(PodChannel.class);
    /** As the child process: no kill within a second of a result, the CLI is flushing its transcript. */
    static final Duration NO_KILL_AFTER_RESULT = Duration.ofSeconds(1);

    private final String name;
    private final PodResource pod;
    private final Scheduler blocking;
    private final Clock clock;
    private final int maxLineBytes;
    private final int stdinQueueLines;
    private final Sinks.Many<Line> stdout = Sinks.many().unicast().onBackpressureBuffer();
    private final Sinks.Empty<Void> logRead = Sinks.empty();
    private final Sinks.One<ExitStatus> exit = Sinks.one();
    private final Mono<ExitStatus> exitMono = exit.asMono().cache();
    private final Sinks.Many<String> stdin = Sinks.many().unicast().onBackpressureBuffer();
    private final AtomicInteger stdinQueued = new AtomicInteger();
    private final AtomicBoolean deleting = new AtomicBoolean();
    private final LogCursor cursor;
    private final AtomicBoolean following = new AtomicBoolean();
    private volatile boolean detached;
    private volatile List<String> stderrTail = List.of();
    private volatile Instant lastResultAt = Instant.EPOCH;
    private volatile Attach attach;
    private volatile LogWatch logWatch;
    private volatile Watch podWatch;
    private volatile boolean terminated;

    private PodChannel(String name, PodResource pod, Scheduler blocking, Clock clock, int maxLineBytes,
            int stdinQueueLines, LogCursor cursor) {
        this.name = name;
        this.cursor = cursor;
        this.pod = pod;
        this.blocking = blocking;
        this.clock = clock;
        this.maxLineBytes = maxLineBytes;
        this.stdinQueueLines = stdinQueueLines;
    }

    /**
     * Attaches to a pod whose container runs (blocking calls on {@code blocking}): the status watch, the log
     * followed from its start, stdin.
     */
    public static Mono<PodChannel> attach(String name, PodResource pod, Scheduler blocking, Clock clock, int maxLineBytes,
            int stdinQueueLines) {
        return attach(name, pod, blocking, clock, maxLineBytes, stdinQueueLines, Optional.empty());
    }

    /**
     * Attaches again to the pod of a CLI a previous run of the bot left running ({@code from}: where its log stood
     * for that run). Its log is followed from there only once {@link #startOutput()} is called, so that whoever
     * replays it listens first. A pod whose container has ended is read to its end (no stdin then).
     */
    public static Mono<PodChannel> reattach(PodResource pod, Scheduler blocking, Clock clock,
            int maxLineBytes, int stdinQueueLines, PodPosition from) {
        return attach(from.pod(), pod, blocking, clock, maxLineBytes, stdinQueueLines, Optional.of(from.mark()));
    }

    private static Mono<PodChannel> attach(String name, PodResource pod, Scheduler blocking, Clock clock,
            int maxLineBytes, int stdinQueueLines, Optional<LogCursor.Mark> from) {
        PodChannel channel = new PodChannel(name, pod, blocking, clock, maxLineBytes, stdinQueueLines,
                from.map(LogCursor::new).orElseGet(LogCursor::new));
        return Mono.fromCallable(() -> {
            channel.podWatch = pod.watch(channel.new StatusWatcher());
            if (from.isEmpty()) {
                channel.startFollowing();
            }
            try {
                channel.attach = channel.terminated ? null : channel.openAttach();
            } catch (RuntimeException e) {
                if (from.isPresent()) {
                    // The container ended meanwhile: its log is still read to the end; stdin is gone.
                    log.info("{}: cannot attach to its stdin ({}); reading its log only", channel.name(),
                            e.toString());
                    channel.terminated = true;
                    return channel.wireStdin();
                }
                channel.terminated = true; // nothing follows the log again
                channel.podWatch.close();
                channel.logWatch.close();
                throw e;
            }
            return channel.wireStdin();
        }).subscribeOn(blocking);
    }

    /** Starts following the log (once): at once for a new pod, on {@link #startOutput()} for a re-attached one. */
    private void startFollowing() {
        if (following.compareAndSet(false, true)) {
            follow(cursor.mark().last());
        }
    }

    @Override
    public void startOutput() {
        Mono.fromRunnable(this::startFollowing).subscribeOn(blocking)
                .subscribe(null, e -> log.error("{}: cannot follow the log", name(), e));
    }

    /** The pod's name and where the bot is in its log. */
    public String podName() {
        return name;
    }

    /** Where the bot is in this pod's log, with the process's figures as the session counts them. */
    public PodPosition position(java.math.BigDecimal costUsd, long tokensIn, long tokensOut) {
        LogCursor.Mark mark = cursor.mark();
        return new PodPosition(name, mark.last(), mark.atLast(), costUsd, tokensIn, tokensOut);
    }

    /**
     * Leaves the CLI running (a drain before a restart in kubernetes mode): the log, the watch and the attach are
     * closed; the pod, its CLI and its turn go on, and the next run of the bot re-attaches.
     */
    @Override
    public boolean detach() {
        detached = true;
        closeQuietly();
        LogWatch watch = logWatch;
        if (watch != null) {
            Mono.fromRunnable(watch::close).subscribeOn(blocking).subscribe(null, e -> { });
        }
        return true;
    }

    /** Lines queued for stdin are written one at a time, in order, off the caller's thread. */
    private PodChannel wireStdin() {
        stdin.asFlux()
                .concatMap(line -> Mono.fromRunnable(() -> write(line)).subscribeOn(blocking)
                        .doFinally(s -> stdinQueued.decrementAndGet())
                        .onErrorResume(e -> {
                            log.warn("{}: stdin write failed: {}", name, e.toString());
                            return Mono.empty();
                        }))
                .subscribe();
        return this;
    }

    @Override
    public String name() {
        return "pod " + name;
    }

    @Override
    public Flux<Line> stdout() {
        return stdout.asFlux();
    }

    @Override
    public List<String> stderrTail() {
        return stderrTail;
    }

    @Override
    public Mono<Void> writeLine(String line) {
        return Mono.fromRunnable(() -> {
            if (line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a stdin line must not contain a line break");
            }
            if (terminated || deleting.get()) {
                throw new StdinClosedException("the CLI in " + name() + " has ended");
            }
            if (stdinQueued.incrementAndGet() > stdinQueueLines) {
                stdinQueued.decrementAndGet();
                throw new StdinClosedException("stdin queue of " + name() + " is full (" + stdinQueueLines
                        + " lines)");
            }
            if (stdin.tryEmitNext(line).isFailure()) {
                stdinQueued.decrementAndGet();
                throw new StdinClosedException("stdin of " + name() + " is closed");
            }
        });
    }

    /**
     * Writes one line to the attach. An attach the kubelet closed (its streaming connections end after an idle
     * limit, four hours by default) while the CLI runs is opened again once and the line written there.
     */
    private void write(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        Attach current = attach;
        if (current == null) {
            throw new StdinClosedException("the CLI in " + name() + " has no stdin");
        }
        try {
            if (current.closed().get()) {
                throw new IOException("the attach was closed by the other side");
            }
            writeTo(current.watch(), bytes);
        } catch (IOException | RuntimeException first) {
            if (terminated || deleting.get() || detached) {
                throw new StdinClosedException("stdin of " + name() + " failed: " + first.getMessage());
            }
            log.info("{}: stdin's attach is gone ({}); attaching again", name(), first.getMessage());
            try {
                attach = openAttach();
                current.watch().close();
                writeTo(attach.watch(), bytes);
            } catch (IOException | RuntimeException second) {
                throw new StdinClosedException("stdin of " + name() + " failed: " + second.getMessage());
            }
        }
    }

    /** An attach to the CLI's stdin, and whether its connection has closed (a write would then go nowhere). */
    private record Attach(ExecWatch watch, AtomicBoolean closed) {
    }

    /**
     * Opens an attach to stdin (a blocking call). Its close is noted: fabric8 takes writes to a closed attach without
     * an error, so a write checks first.
     */
    private Attach openAttach() {
        AtomicBoolean closed = new AtomicBoolean();
        ExecWatch watch = pod.inContainer(SessionPods.CONTAINER).redirectingInput()
                .usingListener(new ExecListener() {
                    @Override
                    public void onClose(int code, String reason) {
                        closed.set(true);
                    }

                    @Override
                    public void onFailure(Throwable error, Response response) {
                        closed.set(true);
                    }
                })
                .attach();
        return new Attach(watch, closed);
    }

    private static void writeTo(ExecWatch watch, byte[] bytes) throws IOException {
        OutputStream in = watch.getInput();
        in.write(bytes);
        in.flush();
    }

    /** A pod's CLI cannot be given the end of its stdin (the attach would only detach): nothing to do. */
    @Override
    public void closeStdin() {
    }

    @Override
    public Mono<ExitStatus> exit() {
        return exitMono;
    }

    @Override
    public void noteResult() {
        lastResultAt = clock.instant();
    }

    /**
     * At least a second after the last result, the pod is deleted with {@code grace + killAfter} as its grace
     * period: the CLI gets SIGTERM at once (the wrapper forwards it) and SIGKILL from the kubelet after that.
     */
    @Override
    public Mono<ExitStatus> stop(Duration grace, Duration killAfter) {
        Duration sinceResult = Duration.between(lastResultAt, clock.instant());
        Duration wait = sinceResult.compareTo(NO_KILL_AFTER_RESULT) < 0
                ? NO_KILL_AFTER_RESULT.minus(sinceResult) : Duration.ZERO;
        long graceSeconds = Math.max(1, grace.plus(killAfter).toSeconds());
        return Mono.delay(wait)
                .then(delete(graceSeconds))
                .then(exit().timeout(Duration.ofSeconds(graceSeconds + 15), Mono.fromSupplier(() -> {
                    log.warn("{}: no exit seen {} s after its deletion; taken as killed", name(), graceSeconds + 15);
                    return ended(new ExitStatus(137, Optional.of(ExitStatus.Signal.SIGKILL)));
                })));
    }

    /** Deletes the pod (once); the exit follows from its status. */
    Mono<Void> delete(long graceSeconds) {
        return Mono.fromRunnable(() -> {
            if (deleting.compareAndSet(false, true)) {
                pod.withGracePeriod(graceSeconds).delete();
            }
        }).subscribeOn(blocking).then();
    }

    /** Follows the log from the start, or from the whole second of the last line handled. */
    private void follow(Optional<Instant> since) {
        LogLines lines = new LogLines();
        var loggable = pod.inContainer(SessionPods.CONTAINER);
        logWatch = (since.isPresent()
                ? loggable.usingTimestamps().sinceTime(LogCursor.wholeSecond(since.get()))
                : loggable.usingTimestamps()).watchLog(lines);
        logWatch.onClose().whenComplete((error, failure) -> {
            if (detached) {
                return; // the bot lets the CLI run on; the next run reads on from where this one stopped
            }
            lines.finish();
            // The stream ends when the container has ended (all of it read), or when the API server dropped it:
            // only a container that still runs is followed again.
            Mono.fromCallable(() -> Optional.ofNullable(pod.get())).subscribeOn(blocking)
                    .subscribe(current -> {
                        if (!terminated && current.isPresent() && terminatedState(current.get()).isEmpty()) {
                            log.info("{}: the log stream ended before the CLI did ({}); following it again",
                                    name(), error == null ? "closed" : error.toString());
                            Mono.fromRunnable(() -> follow(cursor.last())).subscribeOn(blocking)
                                    .delaySubscription(Duration.ofMillis(200))
                                    .subscribe(null, e -> log.error("{}: cannot follow the log", name(), e));
                        } else {
                            stdout.tryEmitComplete();
                            logRead.tryEmitEmpty();
                        }
                    }, e -> {
                        log.warn("{}: cannot look the pod up: {}", name(), e.toString());
                        stdout.tryEmitComplete();
                        logRead.tryEmitEmpty();
                    });
        });
    }

    private ExitStatus ended(ExitStatus status) {
        terminated = true;
        if (exit.tryEmitValue(status).isSuccess()) {
            stdin.tryEmitComplete();
            closeQuietly();
            // A pod whose CLI ended holds its claim; once its log is read and its status known it goes.
            logRead.asMono().timeout(Duration.ofSeconds(30), Mono.empty()).then(delete(0))
                    .subscribe(null, e -> log.warn("{}: could not delete the ended pod: {}", name(), e.toString()));
        }
        return status;
    }

    private void closeQuietly() {
        Mono.fromRunnable(() -> {
            Attach current = attach;
            if (current != null) {
                current.watch().close();
            }
            if (podWatch != null) {
                podWatch.close();
            }
        }).subscribeOn(blocking).subscribe(null, e -> log.debug("{}: close: {}", name(), e.toString()));
    }

    /** The container's end from the pod's status: exit code, reason, termination message (the stderr tail). */
    private final class StatusWatcher implements Watcher<Pod> {
        @Override
        public void eventReceived(Action action, Pod p) {
            if (detached) {
                return;
            }
            Optional<ContainerStateTerminated> done = terminatedState(p);
            if (done.isPresent()) {
                ContainerStateTerminated t = done.get();
                String message = Optional.ofNullable(t.getMessage()).orElse("");
                stderrTail = message.isBlank() ? List.of() : Arrays.stream(message.split("\n"))
                        .filter(l -> !l.isBlank()).toList();
                Optional<ExitStatus.Signal> ours = deleting.get() ? Optional.of(ExitStatus.Signal.SIGTERM)
                        : Optional.empty();
                int code = t.getExitCode() == null ? 137 : t.getExitCode();
                ended(new ExitStatus(code, ours, Optional.ofNullable(t.getReason())));
            } else if (action == Action.DELETED) {
                ended(new ExitStatus(137, deleting.get() ? Optional.of(ExitStatus.Signal.SIGKILL)
                        : Optional.empty(), Optional.of("the pod was deleted")));
            }
        }

        @Override
        public void onClose(WatcherException cause) {
            if (!terminated && !detached) {
                log.warn("{}: the pod's watch closed: {}", name(), cause.toString());
                Mono.fromRunnable(() -> podWatch = pod.watch(new StatusWatcher())).subscribeOn(blocking)
                        .subscribe(null, e -> log.error("{}: cannot watch the pod again", name(), e));
            }
        }
    }

    public static Optional<ContainerStateTerminated> terminatedState(Pod p) {
        if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return p.getStatus().getContainerStatuses().stream()
                .filter(s -> SessionPods.CONTAINER.equals(s.getName()))
                .map(ContainerStatus::getState)
                .filter(s -> s != null && s.getTerminated() != null)
                .map(s -> s.getTerminated())
                .findFirst();
    }

    /**
     * The log's bytes as lines: each {@code <RFC 3339 timestamp> <text>}; the cursor drops lines handled before,
     * the rest go to stdout. Written to by the HTTP client's thread, one call at a time.
     */
    private final class LogLines extends OutputStream {
        private final LineFramer framer = new LineFramer(maxLineBytes + 64, this::line);

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            framer.feed(ByteBuffer.wrap(bytes, offset, length));
        }

        void finish() {
            framer.finish();
        }

        private void line(Line line) {
            switch (line) {
                case Line.Complete c -> {
                    int space = c.text().indexOf(' ');
                    if (space < 0) {
                        return; // an empty line
                    }
                    Optional<Instant> at = LogCursor.parse(c.text().substring(0, space));
                    if (at.isEmpty()) {
                        // Every line of the container's log is stamped: this is the API server's answer (an
                        // error body), not the CLI's output.
                        log.warn("{}: the log stream held a line that is no log line: {}", name(),
                                c.text().length() > 300 ? c.text().substring(0, 300) + "…" : c.text());
                    } else if (cursor.take(at.get())) {
                        stdout.tryEmitNext(new Line.Complete(c.text().substring(space + 1)));
                    }
                }
                case Line.Oversized o -> {
                    int space = o.head().indexOf(' ');
                    stdout.tryEmitNext(new Line.Oversized(space < 0 ? o.head() : o.head().substring(space + 1),
                            o.totalBytes()));
                }
            }
        }
    }
}
