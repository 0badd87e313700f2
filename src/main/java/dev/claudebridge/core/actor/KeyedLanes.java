package dev.claudebridge.core.actor;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.GroupedFlux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Chat events in lanes: one lane per key (a thread id, or a user id before there is a thread), each lane handled in
 * order, lanes independent of each other, and a lane that saw nothing for {@code idle} ends so that lanes do not
 * pile up. Shape: {@code groupBy(key)} then {@code flatMap(lane, Integer.MAX_VALUE)} (the concurrency must never be
 * below the number of live groups, or the flow hangs: docs/architecture.md, style P1), each lane a {@code concatMap(handler)}.
 *
 * <p><b>Why a lane does not end with {@code group.timeout(idle, Flux.empty())}.</b> In Reactor 3.8's
 * {@code FluxGroupBy} a group stays in the key map until its {@code cancel()} has marked it cancelled, and a
 * cancelled group drops what is in its queue. A timeout fires on the timer thread while {@code groupBy} may be routing
 * a new element on another: the element goes into the group being cancelled and is silently dropped. And the group's
 * drain can be held by the handler's thread (a {@code concatMap} requesting more), so an element routed just before
 * the timeout may still sit in the doomed queue. In the shape of
 * {@code KeyedLanesTest.aKeyComingBackAroundItsIdleMomentLosesNothing} the naive version lost 9 to 21 of 3,000 events.
 *
 * <p>So a lane ends <em>in band</em>: the idle timer does not cancel anything, it sends an {@code Expire} marker
 * through the same serialized stream as the events. {@code groupBy} routes it like
 * an event, and the lane, which reads its group with unbounded demand (an {@code onBackpressureBuffer} right behind
 * it), sees it inside that very {@code onNext} and cancels its group there. The next element for the key, routed
 * after that {@code onNext} returns, finds no group and opens a new one: nothing is lost, no two lanes of one key
 * overlap. A marker counts only if the lane has handled everything it received and received nothing since the marker
 * was armed; the timer is armed when the lane becomes idle (its last handler finished), so a slow handler is never
 * cut off and a key's next lane never starts while its previous lane still works.
 *
 * <p>{@code groupBy} is given unbounded prefetch: a group that ends in the middle of its drain does not replenish
 * the element that ended it ({@code KeyedLanesTest.defaultPrefetchLosesDemandWhenGroupsEndInBand}), which with a
 * bounded prefetch slowly starves the source while other groups stay open. The source is a hot stream of chat events
 * anyway; buffering is per lane, and the handler is meant to translate and enqueue (into a session's
 * {@link Mailbox}), not to wait.
 */
public final class KeyedLanes<E, K> {

    private static final Logger log = LoggerFactory.getLogger(KeyedLanes.class);

    private final String name;
    private final Function<? super E, ? extends K> keyOf;
    private final Function<? super E, ? extends Mono<Void>> handler;
    private final long idleNanos;
    private final Scheduler timer;
    private final AtomicInteger liveGroups = new AtomicInteger();
    private final AtomicLong lanesOpened = new AtomicLong();

    /**
     * @param keyOf the lane of an event; an event whose key cannot be computed (throws, or null) is logged and dropped
     * @param handler handles one event; its errors are logged and the lane goes on
     * @param idle how long a lane stays open after its last event was handled
     * @param timer runs the idle timers (a virtual-time scheduler in tests)
     */
    public KeyedLanes(String name, Function<? super E, ? extends K> keyOf,
            Function<? super E, ? extends Mono<Void>> handler, Duration idle, Scheduler timer) {
        this.name = name;
        this.keyOf = keyOf;
        this.handler = handler;
        this.idleNanos = idle.toNanos();
        this.timer = timer;
    }

    /** Lanes open now (groups started and not yet ended), for tests and metrics. */
    public int liveGroups() {
        return liveGroups.get();
    }

    /** Lanes opened since construction, for tests and metrics. */
    public long lanesOpened() {
        return lanesOpened.get();
    }

    /** Handles {@code events} in lanes; completes when they complete and every lane has finished. */
    public Mono<Void> run(Flux<? extends E> events) {
        return Mono.defer(() -> {
            AtomicReference<FluxSink<Signal<E, K>>> expiries = new AtomicReference<>();
            // Flux.create's sink is serialized: timer threads may call next() at once, without locks.
            Flux<Signal<E, K>> markers = Flux.create(expiries::set);
            Flux<Signal<E, K>> items = events.<Signal<E, K>>handle((event, sink) -> {
                K key;
                try {
                    key = Objects.requireNonNull(keyOf.apply(event), "null key");
                } catch (RuntimeException e) {
                    log.error("[{}] event dropped: no key for {}", name, event, e);
                    return;
                }
                sink.next(new Item<>(key, event));
            }).doOnComplete(() -> expiries.get().complete());
            // markers first: merge subscribes in order, so the sink exists before the first event.
            return Flux.merge(markers, items)
                    .groupBy(Signal::key, Integer.MAX_VALUE)
                    .flatMap(group -> lane(group, expiries.get()), Integer.MAX_VALUE)
                    .then();
        });
    }

    private Mono<Void> lane(GroupedFlux<K, Signal<E, K>> group, FluxSink<Signal<E, K>> expiries) {
        return Flux.defer(() -> {
            Lane lane = new Lane(group.key(), expiries);
            liveGroups.incrementAndGet();
            lanesOpened.incrementAndGet();
            return group.<E>handle((signal, sink) -> {
                        if (signal instanceof Item<E, K> item) {
                            lane.received();
                            sink.next(item.event());
                        } else if (lane.endsOn((Expire<E, K>) signal)) {
                            sink.complete(); // cancels the group now, inside groupBy's onNext
                        }
                    })
                    .onBackpressureBuffer() // unbounded demand: the group is only ever drained by groupBy's onNext
                    .concatMap(event -> Mono.defer(() -> handler.apply(event))
                            .onErrorResume(e -> {
                                log.error("[{}] handler failed for key {} on {}", name, lane.key, event, e);
                                return Mono.empty();
                            })
                            .doFinally(signal -> lane.handled()))
                    // Not doFinally: that runs after the completion went downstream, so a caller that saw run()
                    // complete could still count this lane as live.
                    .doOnTerminate(lane::end)
                    .doOnCancel(lane::end);
        }).then();
    }

    /** One lane's bookkeeping. {@code received} is written only by groupBy's (serialized) onNext. */
    private final class Lane {
        final K key;
        final FluxSink<Signal<E, K>> expiries;
        final AtomicInteger pending = new AtomicInteger();
        final Disposable.Swap timer = Disposables.swap(); // the armed idle timer; disposed when the lane ends
        final AtomicBoolean ended = new AtomicBoolean();
        volatile long received;

        Lane(K key, FluxSink<Signal<E, K>> expiries) {
            this.key = key;
            this.expiries = expiries;
        }

        void received() {
            pending.incrementAndGet(); // before received: a handled() that reads the new count sees pending > 0
            received++;
        }

        void handled() {
            if (pending.decrementAndGet() == 0) {
                Expire<E, K> marker = new Expire<>(key, this, received);
                try {
                    timer.update(KeyedLanes.this.timer.schedule(() -> expiries.next(marker), idleNanos,
                            TimeUnit.NANOSECONDS));
                } catch (RuntimeException e) { // a disposed scheduler: the lane stays open until the flow ends
                    log.warn("[{}] idle timer for key {} not armed", name, key, e);
                }
            }
        }

        void end() {
            if (ended.compareAndSet(false, true)) {
                timer.dispose();
                liveGroups.decrementAndGet();
            }
        }

        /** Runs inside groupBy's onNext, so no element of this key can be on its way into the group meanwhile. */
        boolean endsOn(Expire<E, K> marker) {
            if (marker.lane() != this) { // a late marker of an ended lane opened this group: end it unless it has work
                return received == 0;
            }
            return marker.stamp() == received && pending.get() == 0;
        }
    }

    private sealed interface Signal<E, K> permits Item, Expire {
        K key();
    }

    private record Item<E, K>(K key, E event) implements Signal<E, K> {
    }

    private record Expire<E, K>(K key, Object lane, long stamp) implements Signal<E, K> {
    }
}
