package dev.claudebridge.core.session;

import dev.claudebridge.core.port.ChildLedger;
import dev.claudebridge.core.port.SessionStore;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link SessionStore} in memory: the port fake of the core's unit tests. Nothing survives the JVM. Sessions and
 * inboxes are keyed by platform and thread id, as in the database.
 */
public final class InMemorySessionStore implements SessionStore {

    private final Map<Key, SessionRecord> sessions = new ConcurrentHashMap<>();
    private final List<TurnRecord> turns = new CopyOnWriteArrayList<>();
    private final Map<Key, List<QueuedPrompt>> inboxes = new ConcurrentHashMap<>();
    private final ChildLedger children = new InMemoryChildLedger();
    private final Map<Key, RunningTurn> running = new ConcurrentHashMap<>();

    @Override
    public Mono<Void> saveRunningTurn(RunningTurn turn) {
        return Mono.fromRunnable(() -> running.put(new Key(turn.platform(), turn.threadId()), turn));
    }

    @Override
    public Mono<Void> clearRunningTurn(String platform, String threadId) {
        return Mono.fromRunnable(() -> running.remove(new Key(platform, threadId)));
    }

    @Override
    public Flux<RunningTurn> runningTurns() {
        return Flux.defer(() -> Flux.fromIterable(List.copyOf(running.values())));
    }

    @Override
    public Mono<Void> saveSession(SessionRecord session) {
        return Mono.fromRunnable(() -> sessions.put(new Key(session.platform(), session.threadId()), session));
    }

    @Override
    public Flux<SessionRecord> loadSessions() {
        return Flux.defer(() -> Flux.fromIterable(List.copyOf(sessions.values()))
                .sort(Comparator.comparing(SessionRecord::createdAt)));
    }

    @Override
    public Mono<Void> saveTurn(TurnRecord turn) {
        return Mono.fromRunnable(() -> turns.add(turn));
    }

    @Override
    public Flux<TurnRecord> turns(String platform, String threadId) {
        return Flux.defer(() -> Flux.fromStream(turns.stream()
                .filter(t -> t.platform().equals(platform) && t.threadId().equals(threadId))));
    }

    @Override
    public Mono<Void> saveInbox(String platform, String threadId, List<QueuedPrompt> prompts) {
        return Mono.fromRunnable(() -> inboxes.put(new Key(platform, threadId), List.copyOf(prompts)));
    }

    @Override
    public Flux<QueuedPrompt> inbox(String platform, String threadId) {
        return Flux.defer(() -> Flux.fromIterable(inboxes.getOrDefault(new Key(platform, threadId), List.of())));
    }

    @Override
    public ChildLedger children() {
        return children;
    }

    @Override
    public Mono<UserTotals> userTotals(String platform, String ownerId, Instant since) {
        return Mono.fromSupplier(() -> turns.stream()
                .filter(t -> t.platform().equals(platform) && t.ownerId().equals(ownerId)
                        && !t.endedAt().isBefore(since))
                .reduce(UserTotals.ZERO, (sum, t) -> new UserTotals(sum.turns() + 1, sum.tokensIn() + t.tokensIn(),
                        sum.tokensOut() + t.tokensOut(), sum.costUsd().add(t.costUsd())), (a, b) -> a));
    }

    @Override
    public Mono<Boolean> ping() {
        return Mono.just(true);
    }

    private record Key(String platform, String threadId) {
    }

}
