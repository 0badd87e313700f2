package dev.claudebridge.core.actor;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A multi-producer, single-consumer mailbox: the one way into an actor. Any number of threads may {@link #send} at
 * once; the handler sees one message at a time, in enqueue order (so each sender's messages in the order it sent
 * them), and the actor's state may live in plain fields that only the handler touches.
 *
 * <p>No locks, no spinning: {@code send} offers to a lock-free queue and bumps a work-in-progress counter; the sender
 * that moves it from 0 starts the drain, every other sender only enqueues. The counter's atomic updates are also what
 * publishes one drain's writes to the next drain, even when the two run on different threads.
 *
 * <p>The drain runs as a task on the {@link Scheduler} given to the constructor, not on the sending thread: a sender
 * (a gateway event thread, a CLI stdout callback) never runs another session's handler and never waits for it. We
 * schedule on the {@code Scheduler} itself rather than on a {@code Worker} per mailbox: only one drain task exists
 * at a time (the counter), so a worker's ordering adds nothing, while a worker must be disposed and, on
 * {@code boundedElastic}, pins a thread for its life. An idle mailbox therefore holds no thread and no task.
 * {@link Schedulers#immediate()} is allowed (tests, or an actor that must run inline): the drain then runs on the
 * sender that started it, like Reactor's serialized sinks.
 *
 * <p>{@link #close()} refuses later sends but lets the accepted ones drain: {@code send} returning {@code true}
 * always means "will be handled", even for a send that races with close.
 */
public final class Mailbox<M> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Mailbox.class);
    /** Messages handled per drain task before it yields its (shared) thread to other mailboxes' drains. */
    private static final int BATCH = 256;

    private final String name;
    private final Scheduler scheduler;
    private final int capacity;
    private final Consumer<? super M> handler;
    private final Queue<M> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    // ConcurrentLinkedQueue.size() walks the queue and is only a guess under contention: count ourselves.
    private final AtomicInteger waiting = new AtomicInteger();
    private final Runnable drain = this::drain;
    private volatile boolean closed;

    /** An unbounded mailbox. */
    public Mailbox(String name, Scheduler scheduler, Consumer<? super M> handler) {
        this(name, scheduler, Integer.MAX_VALUE, handler);
    }

    /**
     * @param name for logs
     * @param scheduler where drains run; {@link Schedulers#immediate()} drains on the sending thread
     * @param capacity how many messages may wait (not counting the one being handled); {@code Integer.MAX_VALUE}
     *        for no bound
     * @param handler called for one message at a time; it must not block if the scheduler is non-blocking
     */
    public Mailbox(String name, Scheduler scheduler, int capacity, Consumer<? super M> handler) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.name = name;
        this.scheduler = scheduler;
        this.capacity = capacity;
        this.handler = handler;
    }

    /**
     * Enqueues a message; never blocks. Safe from any thread, and from inside the handler (the message is then
     * handled after the current one, never nested).
     *
     * @return {@code false} when the mailbox is closed or {@code capacity} messages already wait: the message was
     *         not taken and will not be handled
     */
    public boolean send(M message) {
        if (closed) {
            return false;
        }
        // Reserve a place first, so that concurrent senders can never overshoot the bound together.
        if (waiting.incrementAndGet() > capacity) {
            waiting.decrementAndGet();
            return false;
        }
        queue.offer(message);
        if (wip.getAndIncrement() == 0) {
            schedule();
        }
        return true;
    }

    /** Refuses later sends; messages already accepted are still handled. Idempotent. */
    @Override
    public void close() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Messages waiting (not counting one being handled), for diagnostics. */
    public int size() {
        return waiting.get();
    }

    private void schedule() {
        try {
            scheduler.schedule(drain);
        } catch (RuntimeException e) { // a disposed scheduler: the mailbox cannot run any more, say so loudly
            log.error("[{}] mailbox cannot schedule its drain; {} message(s) stuck", name, waiting.get(), e);
        }
    }

    private void drain() {
        int missed = wip.get();
        int handled = 0;
        while (true) {
            M message;
            while ((message = queue.poll()) != null) {
                waiting.decrementAndGet();
                try {
                    handler.accept(message);
                } catch (Throwable e) { // one bad message must not kill the actor
                    log.error("[{}] mailbox handler failed on {}", name, message, e);
                }
                // A busy mailbox must not hold a shared thread forever. The counter stays above zero, so no sender
                // starts a second drain meanwhile. (On immediate() a reschedule would only recurse: keep going.)
                if (++handled == BATCH && scheduler != Schedulers.immediate()) {
                    schedule();
                    return;
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
