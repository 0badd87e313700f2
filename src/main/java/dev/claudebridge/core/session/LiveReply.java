package dev.claudebridge.core.session;

import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.OutgoingMessage;
import dev.claudebridge.core.port.SessionMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * One reply in a thread, kept equal to the newest rendered frame: page i of the frame is message i. Frames are
 * applied one at a time, and each update first waits for the channel's edit slot and only then takes the newest
 * frame: a frame chosen before the wait would be an edit interval old when it is shown (measured: it doubled the
 * visible lag, BENCHMARKS.md). Streaming frames are offered as suppliers, so only the frames that are sent are
 * rendered. The final frame is always applied. Each update reports its lag: how long the oldest change it shows
 * waited to be on the platform (the edit-lag meter).
 */
final class LiveReply {

    private static final Logger log = LoggerFactory.getLogger(LiveReply.class);

    /** A frame: the pages, and the components the last page carries (an Interrupt button while running). */
    record Frame(List<String> pages, List<ChatPlatform.ComponentRow> lastPageRows) {
    }

    private final ChatPlatform chat;
    private final String channelId;
    private final Clock clock;
    private final Scheduler timers;
    private final SessionMetrics metrics;
    /** Wake-ups of the one applying loop; the frame itself is always read from {@link #newest} when applied. */
    private final Sinks.Many<Boolean> wakeUps = Sinks.many().unicast().onBackpressureBuffer();
    private final AtomicReference<Pending> newest = new AtomicReference<>();
    private final Mono<Void> done;
    private final List<Sent> sent = new ArrayList<>(); // touched only by the one applying frame
    private final java.util.function.Consumer<List<String>> onMessages;
    private volatile int edits;
    private volatile Frame applied; // the last frame that is wholly on the platform
    private static final int FINAL_RETRIES = 4;
    private static final Duration FINAL_RETRY_DELAY = Duration.ofSeconds(2);

    private record Sent(String messageId, OutgoingMessage message, Instant postedAt) {
    }

    /** The newest frame not applied yet, and since when something not applied yet has been waiting. */
    private record Pending(Supplier<Frame> frame, Instant since) {
    }

    LiveReply(ChatPlatform chat, String channelId, Clock clock, Scheduler timers, SessionMetrics metrics) {
        this(chat, channelId, clock, timers, metrics, List.of(), ids -> { });
    }

    /**
     * @param existing   the messages an earlier run of the bot posted for this reply, one per page: they are edited,
     *                   not posted again (a turn carried on after a restart)
     * @param onMessages told the reply's message ids, one per page, each time they change (to be stored)
     */
    LiveReply(ChatPlatform chat, String channelId, Clock clock, Scheduler timers, SessionMetrics metrics,
            List<String> existing, java.util.function.Consumer<List<String>> onMessages) {
        this.onMessages = onMessages;
        Instant now = clock.instant();
        existing.forEach(id -> sent.add(new Sent(id, null, now)));
        this.chat = chat;
        this.channelId = channelId;
        this.clock = clock;
        this.timers = timers;
        this.metrics = metrics;
        this.done = wakeUps.asFlux()
                .onBackpressureLatest() // many wake-ups while an update runs are one more update
                .concatMap(wake -> update().onErrorResume(e -> {
                    log.atWarn().addKeyValue("thread", channelId).log("reply update failed: {}", e.toString());
                    return Mono.empty();
                }), 1)
                .then()
                .cache();
        done.subscribe();
    }

    /** Offers a frame while the reply streams; it is rendered and sent only if it is still the newest then. */
    void offer(Supplier<Frame> frame) {
        replaceNewest(frame);
        wake();
    }

    /** A newer frame replaces the pending one but keeps its time: the older change is still not shown. */
    private void replaceNewest(Supplier<Frame> frame) {
        Instant now = clock.instant();
        newest.getAndUpdate(pending -> new Pending(frame, pending == null ? now : pending.since()));
    }

    /**
     * The last frame: applied after any update in flight; the Mono ends when it is on the platform. The end of a
     * reply must not be lost, so when applying it failed even after Discord4J's own retries (Discord down for a
     * while), it is tried again a few times, a little later each time.
     */
    Mono<Void> finish(Frame last) {
        replaceNewest(() -> last);
        wake();
        wakeUps.tryEmitComplete();
        return done.then(Mono.defer(() -> applied == last ? Mono.<Void>empty()
                : Mono.defer(() -> apply(last))
                        .retryWhen(Retry.backoff(FINAL_RETRIES, FINAL_RETRY_DELAY).scheduler(timers)
                                .doBeforeRetry(r -> log.atWarn().addKeyValue("thread", channelId)
                                        .log("the reply's end is not shown yet ({}); trying again",
                                                r.failure().toString())))
                        .onErrorResume(e -> {
                            log.atError().addKeyValue("thread", channelId)
                                    .log("the reply's end could not be shown: {}", e.toString());
                            return Mono.empty();
                        })));
    }

    private void wake() {
        Sinks.EmitResult result = wakeUps.tryEmitNext(Boolean.TRUE);
        if (result.isFailure() && result != Sinks.EmitResult.FAIL_TERMINATED) {
            log.atWarn().addKeyValue("thread", channelId).log("reply update not scheduled: {}", result);
        }
    }

    /**
     * One update: a reply whose first page exists waits for the channel's edit slot, then applies the newest frame.
     * A wake-up whose frame an earlier update already took finds nothing and does nothing.
     */
    private Mono<Void> update() {
        Mono<Void> slot = sent.isEmpty() ? Mono.empty() : chat.editSlot(channelId);
        return slot.then(Mono.defer(() -> {
            Pending pending = newest.getAndSet(null);
            return pending == null ? Mono.empty() : apply(pending.frame().get())
                    .doOnSuccess(v -> metrics.replyShown(Duration.between(pending.since(), clock.instant())));
        }));
    }

    int edits() {
        return edits;
    }

    private Mono<Void> apply(Frame frame) {
        return Flux.range(0, frame.pages().size())
                .concatMap(i -> applyPage(i, pageMessage(frame, i)))
                .then(Mono.fromRunnable(() -> applied = frame));
    }

    private OutgoingMessage pageMessage(Frame frame, int i) {
        boolean last = i == frame.pages().size() - 1;
        return new OutgoingMessage(frame.pages().get(i), last ? frame.lastPageRows() : List.of(), List.of());
    }

    private Mono<Void> applyPage(int i, OutgoingMessage message) {
        if (i >= sent.size()) {
            return chat.post(channelId, message)
                    .doOnNext(id -> {
                        sent.add(new Sent(id, message, clock.instant()));
                        messagesChanged();
                    })
                    .then();
        }
        Sent current = sent.get(i);
        if (Objects.equals(current.message(), message)) {
            return Mono.empty();
        }
        if (Duration.between(current.postedAt(), clock.instant()).compareTo(chat.editWindow()) > 0) {
            // Too old to edit: the page continues on a new message.
            return chat.post(channelId, message)
                    .doOnNext(id -> {
                        sent.set(i, new Sent(id, message, clock.instant()));
                        messagesChanged();
                    })
                    .then();
        }
        edits++;
        return chat.edit(channelId, current.messageId(), message)
                .doOnNext(id -> {
                    sent.set(i, new Sent(id, message,
                            id.equals(current.messageId()) ? current.postedAt() : clock.instant()));
                    if (!id.equals(current.messageId())) {
                        messagesChanged();
                    }
                })
                .then();
    }

    private void messagesChanged() {
        onMessages.accept(sent.stream().map(Sent::messageId).toList());
    }

    /** The id of the first page's message, once posted. */
    String firstMessageId() {
        return sent.isEmpty() ? null : sent.get(0).messageId();
    }
}
