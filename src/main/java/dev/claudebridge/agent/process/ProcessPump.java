package dev.claudebridge.agent.process;

import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessHandler;
import dev.claudebridge.agent.process.ExitStatus.Signal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The NuProcess callbacks of one process. They run on NuProcess's shared pump threads, so they copy bytes, emit,
 * and return: they never block and never throw (NuProcess would swallow the exception, docs/architecture.md, style P3).
 * NuProcess calls a process's stdout, stderr and exit callbacks from one thread, in that order at the end, so each
 * sink here has one emitting thread.
 */
final class ProcessPump implements NuProcessHandler {

    private static final Logger log = LoggerFactory.getLogger(ProcessPump.class);
    private static final int STDERR_TAIL_LINES = 20;
    private static final int STDERR_LINE_CHARS = 1000;

    private final ProcessLimits limits;
    private final Consumer<String> stderrLines;
    // Unbounded by necessity: a NuProcess callback cannot wait for demand. Lines are capped, and the one consumer
    // (the decoder) works in memory, so the queue stays short.
    private final Sinks.Many<Line> stdout = Sinks.many().unicast().onBackpressureBuffer();
    private final Sinks.One<ExitStatus> exit = Sinks.one();
    private final Mono<ExitStatus> exitMono = exit.asMono().cache();
    private final LineFramer stdoutFramer;
    private final LineFramer stderrFramer;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Queue<ByteBuffer> stdinQueue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger stdinQueued = new AtomicInteger();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    private volatile Signal lastSignal;
    private volatile boolean exitedAtStart;
    private volatile NuProcess self; // set in onPreStart, before any other callback

    /** @param stderrLines told each stderr line (capped), on the pump thread: it must not block */
    ProcessPump(ProcessLimits limits, Consumer<String> stderrLines) {
        this.limits = limits;
        this.stderrLines = stderrLines;
        this.stdoutFramer = new LineFramer(limits.maxLineBytes(), this::emitStdout);
        this.stderrFramer = new LineFramer(64 * 1024, this::keepStderr);
    }

    Flux<Line> stdout() {
        return stdout.asFlux();
    }

    Mono<ExitStatus> exit() {
        return exitMono;
    }

    boolean exitedAtStart() {
        return exitedAtStart;
    }

    List<String> stderrTail() {
        synchronized (stderrTail) {
            return List.copyOf(stderrTail);
        }
    }

    void noteSignal(Signal signal) {
        lastSignal = signal;
    }

    void enqueue(String line) {
        NuProcess process = self;
        if (line.indexOf('\n') >= 0) {
            // A line break inside a line would hand the CLI a partial JSON line, which kills it (PROTOCOL.md §5).
            throw new IllegalArgumentException("a stdin line must not contain a line break");
        }
        if (closeRequested.get()) {
            throw new StdinClosedException("stdin of pid " + process.getPID() + " is closed");
        }
        if (stdinQueued.incrementAndGet() > limits.stdinQueueLines()) {
            stdinQueued.decrementAndGet();
            throw new StdinClosedException("stdin queue of pid " + process.getPID() + " is full ("
                    + limits.stdinQueueLines() + " lines)");
        }
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdinQueue.add(bytes);
        try {
            process.wantWrite();
        } catch (IllegalStateException e) {
            // NuProcess closed stdin itself: the process has exited (or is exiting).
            if (stdinQueue.remove(bytes)) {
                stdinQueued.decrementAndGet();
            }
            throw new StdinClosedException("the CLI (pid " + process.getPID() + ") has exited");
        }
    }

    void requestClose() {
        if (closeRequested.compareAndSet(false, true)) {
            self.wantWrite();
        }
    }

    @Override
    public void onPreStart(NuProcess nuProcess) {
        self = nuProcess;
    }

    @Override
    public void onStart(NuProcess nuProcess) {
    }

    @Override
    public void onStdout(ByteBuffer buffer, boolean closed) {
        try {
            stdoutFramer.feed(buffer);
            if (closed) {
                stdoutFramer.finish();
                stdout.tryEmitComplete();
            }
        } catch (RuntimeException e) {
            log.error("stdout callback failed", e);
        }
    }

    @Override
    public void onStderr(ByteBuffer buffer, boolean closed) {
        try {
            stderrFramer.feed(buffer);
            if (closed) {
                stderrFramer.finish();
            }
        } catch (RuntimeException e) {
            log.error("stderr callback failed", e);
        }
    }

    /** Copies whole queued lines (and the start of a long one) into NuProcess's buffer; true asks to be called again. */
    @Override
    public boolean onStdinReady(ByteBuffer buffer) {
        ByteBuffer head;
        while (buffer.hasRemaining() && (head = stdinQueue.peek()) != null) {
            int n = Math.min(head.remaining(), buffer.remaining());
            buffer.put(buffer.position(), head, head.position(), n);
            buffer.position(buffer.position() + n);
            head.position(head.position() + n);
            if (!head.hasRemaining()) {
                stdinQueue.poll();
                stdinQueued.decrementAndGet();
            }
        }
        buffer.flip();
        if (!stdinQueue.isEmpty()) {
            return true;
        }
        if (closeRequested.get() && closeSent.compareAndSet(false, true)) {
            // NuProcess closes stdin after the bytes just handed over are written.
            self.closeStdin(false);
        }
        return false;
    }

    @Override
    public void onExit(int statusCode) {
        if (statusCode == ExitStatus.START_FAILED) {
            exitedAtStart = true;
        }
        stdout.tryEmitComplete(); // no-op when stdout already ended, which NuProcess does before onExit
        Sinks.EmitResult result = exit.tryEmitValue(new ExitStatus(statusCode, Optional.ofNullable(lastSignal)));
        if (result.isFailure()) {
            log.warn("exit status {} not delivered: {}", statusCode, result);
        }
    }

    private void emitStdout(Line line) {
        Sinks.EmitResult result = stdout.tryEmitNext(line);
        if (result.isFailure()) {
            // Only possible after cancellation or termination: nobody is reading this process any more.
            log.debug("stdout line dropped: {}", result);
        }
    }

    private void keepStderr(Line line) {
        String text = switch (line) {
            case Line.Complete c -> c.text();
            case Line.Oversized o -> o.head() + "… (" + o.totalBytes() + " bytes)";
        };
        String kept = text.length() > STDERR_LINE_CHARS ? text.substring(0, STDERR_LINE_CHARS) + "…" : text;
        try {
            stderrLines.accept(kept);
        } catch (RuntimeException e) {
            log.warn("stderr listener failed", e);
        }
        synchronized (stderrTail) {
            stderrTail.addLast(kept);
            if (stderrTail.size() > STDERR_TAIL_LINES) {
                stderrTail.removeFirst();
            }
        }
    }
}
