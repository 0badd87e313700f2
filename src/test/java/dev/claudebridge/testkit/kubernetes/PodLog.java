package dev.claudebridge.testkit.kubernetes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * One container's log as the kubelet keeps it: stdout and stderr lines merged in the order they arrived, each with
 * the time it was read. A line is what ended with a newline; what a stream leaves without one when it ends is a last
 * line of its own. The log is closed when the container has exited and both streams are drained: a follower then
 * ends once it has everything.
 */
final class PodLog {
    record Line(Instant time, boolean stderr, byte[] bytes) {
    }

    private final List<Line> lines = new ArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private boolean closed;

    void append(boolean stderr, byte[] bytes) {
        synchronized (this) {
            lines.add(new Line(Instant.now(), stderr, bytes));
        }
        listeners.forEach(Runnable::run);
    }

    void close() {
        synchronized (this) {
            closed = true;
        }
        listeners.forEach(Runnable::run);
    }

    synchronized int size() {
        return lines.size();
    }

    synchronized boolean closed() {
        return closed;
    }

    synchronized List<Line> snapshot() {
        return List.copyOf(lines);
    }

    /**
     * The lines from index {@code from} on; with {@code follow} also the ones still to come, ending when the log is
     * closed. Each subscriber drains on whichever thread appended (a pump thread) or subscribed.
     */
    Flux<Line> read(int from, boolean follow) {
        if (!follow) {
            List<Line> now = snapshot();
            return Flux.fromIterable(now.subList(Math.min(from, now.size()), now.size()));
        }
        return Flux.create(sink -> {
            AtomicInteger next = new AtomicInteger(from);
            AtomicInteger wip = new AtomicInteger();
            Runnable drain = () -> drain(sink, next, wip);
            listeners.add(drain);
            sink.onDispose(() -> listeners.remove(drain));
            drain.run();
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    /** Emits what the follower has not seen yet; one drainer at a time, so lines stay in order and are not doubled. */
    private void drain(FluxSink<Line> sink, AtomicInteger next, AtomicInteger wip) {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        do {
            List<Line> fresh;
            boolean end;
            synchronized (this) {
                fresh = List.copyOf(lines.subList(Math.min(next.get(), lines.size()), lines.size()));
                next.addAndGet(fresh.size());
                end = closed;
            }
            fresh.forEach(sink::next);
            if (end) {
                sink.complete();
            }
        } while (wip.decrementAndGet() != 0);
    }
}
