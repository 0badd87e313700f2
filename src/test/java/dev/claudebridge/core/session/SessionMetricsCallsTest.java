package dev.claudebridge.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudebridge.core.port.AgentEvent;
import dev.claudebridge.core.port.AgentPermission;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.port.SessionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * What the core reports to {@link SessionMetrics} for the operations pack (docs/operations.md), with port fakes: a
 * store write that fails, a refusal at each limit, a live reply's lag, a permission nobody answered.
 */
@Timeout(30)
final class SessionMetricsCallsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Recording metrics = new Recording();
    private final FakeAgents agents = new FakeAgents();
    private final FakeChat chat = new FakeChat("fake");
    private final AtomicBoolean storeDown = new AtomicBoolean();

    private SessionRegistry registry(int maxSessionsPerUser, int maxLiveClis, Duration permissionTimeout) {
        SessionRegistry r = new SessionRegistry(agents, failingWhenDown(new InMemorySessionStore()),
                new SessionSettings(Path.of("/tmp"), 10, permissionTimeout, Duration.ofMinutes(30),
                        Duration.ofMinutes(30), maxSessionsPerUser, maxLiveClis),
                Clock.systemUTC(), metrics, AgentVersion.UNKNOWN);
        r.attach(chat);
        return r;
    }

    private ThreadSession session(SessionRegistry registry, String thread, String owner) {
        return registry.create(chat, thread, "title", "main", "guild", owner, Path.of("/tmp"),
                Optional.empty());
    }

    private static Prompt prompt(String text) {
        return new Prompt(text, "owner", Optional.empty(), Instant.now());
    }

    @Test
    void aFailedStoreWriteIsCountedAndTheSessionGoesOn() {
        SessionRegistry registry = registry(5, 16, Duration.ofMinutes(5));
        storeDown.set(true);
        ThreadSession session = session(registry, "t1", "owner"); // its first record is written at once
        session.flush().block(WAIT);
        assertThat(metrics.storeWriteFailures.get()).isPositive();

        int failed = metrics.storeWriteFailures.get();
        storeDown.set(false);
        session.warmUp().subscribe();
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        agents.starts.getFirst().succeed();
        await().atMost(WAIT).until(session::cliAlive);
        session.flush().block(WAIT);
        assertThat(metrics.storeWriteFailures.get()).as("writes that succeed are not counted").isEqualTo(failed);
    }

    @Test
    void aUserRefusedAtMaxSessionsPerUserIsCountedOnce() {
        SessionRegistry registry = registry(1, 16, Duration.ofMinutes(5));
        assertThat(registry.reserveSlot("owner")).isTrue();
        session(registry, "t1", "owner");
        assertThat(metrics.refusals).isEmpty();

        assertThat(registry.reserveSlot("owner")).isFalse();
        assertThat(registry.reserveSlot("someone else")).isTrue();

        assertThat(metrics.refusals).containsExactly(SessionMetrics.Limit.PER_USER);
    }

    @Test
    void aPromptThatFindsEveryCliInATurnIsCountedAtMaxLiveClis() {
        SessionRegistry registry = registry(5, 1, Duration.ofMinutes(5));
        ThreadSession busy = session(registry, "t1", "owner");
        busy.offer(prompt("a long turn"));
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        FakeAgents.Agent agent = agents.starts.getFirst().succeed();
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);

        ThreadSession other = session(registry, "t2", "owner");
        other.offer(prompt("no room for me"));

        // The registry looks again for about 2 s (a turn that just ended may take a moment to become idle).
        await().atMost(WAIT).until(() -> !metrics.refusals.isEmpty());
        assertThat(metrics.refusals).containsExactly(SessionMetrics.Limit.LIVE_CLIS);
        assertThat(agents.starts).hasSize(1);
    }

    @Test
    void aLiveReplyReportsItsLagAndAnUnansweredPermissionItsWaitAsTimedOut() {
        SessionRegistry registry = registry(5, 16, Duration.ofMillis(300));
        ThreadSession session = session(registry, "t1", "owner");
        session.offer(prompt("use a tool"));
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        FakeAgents.Agent agent = agents.starts.getFirst().succeed();
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);

        agent.events.tryEmitNext(new AgentEvent.TextDelta("Let me look."));
        FakeAgents.Permission request = new FakeAgents.Permission("request-1", "Bash", Map.of("command", "ls"));
        agent.permissions.tryEmitNext(request);
        await().atMost(WAIT).until(() -> !metrics.permissionWaits.isEmpty());
        agent.finishTurn("0.01");
        await().atMost(WAIT).until(() -> session.state() == SessionState.IDLE);

        assertThat(request.denial).as("denied by the deadline").isNotNull();
        assertThat(metrics.permissionWaits).singleElement().satisfies(w -> {
            assertThat(w.outcome()).isEqualTo(SessionMetrics.TIMED_OUT);
            assertThat(w.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(WAIT);
        });
        await().atMost(WAIT).until(() -> metrics.lags.size() >= 2); // the first page, then at least the final one
        assertThat(metrics.lags).allSatisfy(lag -> assertThat(lag).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(WAIT));
    }

    /** The store, whose every write fails while {@link #storeDown} is set (reads go on). */
    private SessionStore failingWhenDown(SessionStore store) {
        return (SessionStore) Proxy.newProxyInstance(SessionStore.class.getClassLoader(),
                new Class<?>[] {SessionStore.class}, (proxy, method, args) -> {
                    if (storeDown.get() && method.getName().startsWith("save")) {
                        return Mono.error(new IllegalStateException("the store is down"));
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private record Wait(String outcome, Duration waited) {
    }

    private static final class Recording implements SessionMetrics {
        final AtomicInteger storeWriteFailures = new AtomicInteger();
        final List<Limit> refusals = new CopyOnWriteArrayList<>();
        final List<Duration> lags = new CopyOnWriteArrayList<>();
        final List<Wait> permissionWaits = new CopyOnWriteArrayList<>();
        final Map<String, Integer> turns = new ConcurrentHashMap<>();

        @Override
        public void turnEnded(String outcome, Duration took, BigDecimal costUsd, long tokensIn, long tokensOut) {
            turns.merge(outcome, 1, Integer::sum);
        }

        @Override
        public void cliStarted() {
        }

        @Override
        public void cliDied() {
        }

        @Override
        public void cliSettingsIgnored() {
        }

        @Override
        public void storeWriteFailed() {
            storeWriteFailures.incrementAndGet();
        }

        @Override
        public void sessionRefused(Limit limit) {
            refusals.add(limit);
        }

        @Override
        public void replyShown(Duration lag) {
            lags.add(lag);
        }

        @Override
        public void permissionOver(String outcome, Duration waited) {
            permissionWaits.add(new Wait(outcome, waited));
        }
    }
}
