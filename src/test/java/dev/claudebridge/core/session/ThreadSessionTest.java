package dev.claudebridge.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.SessionMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The session's own rules with port fakes and a clock the test moves: queue order and bound, idle stop, stop. */
@Timeout(30)
final class ThreadSessionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeAgents agents = new FakeAgents();
    private final FakeChat chat = new FakeChat("fake");
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-05T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private SessionRegistry registry = registry(2, Duration.ofMinutes(30));

    private SessionRegistry registry(int queueLimit, Duration turnTimeout) {
        SessionRegistry r = new SessionRegistry(agents, new InMemorySessionStore(), new SessionSettings(Path.of("/tmp"),
                queueLimit, Duration.ofMinutes(5), turnTimeout, Duration.ofMinutes(30), 5, 2000), clock,
                SessionMetrics.NONE, AgentVersion.UNKNOWN);
        r.attach(chat);
        return r;
    }

    private ThreadSession session() {
        return registry.create(chat, "t1", "title", "main", "guild", "owner", Path.of("/tmp"), Optional.empty());
    }

    private static Prompt prompt(String text) {
        return new Prompt(text, "owner", Optional.empty(), Instant.now());
    }

    private FakeAgents.Agent started(ThreadSession session) {
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        FakeAgents.Agent agent = agents.starts.getFirst().succeed();
        await().atMost(WAIT).until(session::cliAlive);
        return agent;
    }

    @Test
    void promptsRunOneAtATimeInOrderAndTheQueueIsBounded() {
        ThreadSession session = session();
        session.offer(prompt("first"));
        FakeAgents.Agent agent = started(session);
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);
        session.offer(prompt("second"));
        session.offer(prompt("third"));
        session.offer(prompt("fourth")); // QUEUE_LIMIT 2: refused, said in the thread

        await().atMost(WAIT).until(() -> chat.textsIn("t1").stream().anyMatch(t -> t.contains("already waiting")));
        assertThat(session.waitingCount()).isEqualTo(2);
        assertThat(agent.prompts).containsExactly("first");

        agent.finishTurn("0.01");
        await().atMost(WAIT).until(() -> agent.prompts.size() == 2);
        agent.finishTurn("0.01");
        await().atMost(WAIT).until(() -> agent.prompts.size() == 3);
        agent.finishTurn("0.01");

        assertThat(agent.prompts).containsExactly("first", "second", "third");
        await().atMost(WAIT).until(() -> session.state() == SessionState.IDLE);
        assertThat(session.totals().promptsAnswered()).isEqualTo(3);
    }

    @Test
    void anIdleCliIsStoppedAfterIdleTimeoutAndTheNextPromptResumesIt() {
        ThreadSession session = session();
        session.warmUp().subscribe();
        started(session);

        registry.reapIdle().block(WAIT);
        assertThat(session.cliAlive()).as("not idle long enough yet").isTrue();

        now.set(now.get().plus(Duration.ofMinutes(31)));
        registry.reapIdle().block(WAIT);

        await().atMost(WAIT).until(() -> !session.cliAlive());
        assertThat(session.state()).isEqualTo(SessionState.STOPPED);
        assertThat(chat.textsIn("t1")).anyMatch(t -> t.startsWith("💤 Idle for 30m"));

        session.offer(prompt("back"));
        await().atMost(WAIT).until(() -> agents.starts.size() == 2);
        assertThat(agents.starts.get(1).spec.resumeId()).as("a resume of the conversation").isPresent();
    }

    @Test
    void aStopDropsTheQueueAndSaysWhat() {
        ThreadSession session = session();
        session.offer(prompt("running"));
        FakeAgents.Agent agent = started(session);
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);
        session.offer(prompt("queued one"));

        assertThat(session.stop().block(WAIT)).containsExactly("queued one");

        assertThat(session.state()).isEqualTo(SessionState.STOPPED);
        assertThat(agent.stopRequested()).isTrue();
        assertThat(chat.textsIn("t1")).anyMatch(t -> t.contains("1 queued prompt(s) were dropped")
                && t.contains("queued one"));
    }

    @Test
    void aTurnOverTheTimeoutIsInterruptedSaidAndTheSessionGoesOn() {
        registry = registry(2, Duration.ofMillis(300));
        ThreadSession session = session();
        session.offer(prompt("forever"));
        FakeAgents.Agent agent = started(session);
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);

        await().atMost(WAIT).until(() -> chat.textsIn("t1").stream().anyMatch(t -> t.contains("TURN_TIMEOUT")));
        assertThat(agent.interrupts).isPositive();
        await().atMost(WAIT).until(() -> session.state() == SessionState.IDLE);

        session.offer(prompt("next"));
        await().atMost(WAIT).until(() -> agent.prompts.size() == 2);
    }

    /** Idle sessions are plain objects: no thread, no task each (the mailbox holds none while empty). */
    @Test
    void aThousandIdleSessionsAddNoThreads() {
        ThreadSession warm = session();
        warm.warmUp().subscribe();
        started(warm);
        int before = java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();

        for (int i = 0; i < 1000; i++) {
            ThreadSession s = registry.create(chat, "idle-" + i, "t", "main", "g", "owner", Path.of("/tmp"),
                    Optional.empty());
            s.warmUp().subscribe();
        }
        await().atMost(WAIT).until(() -> agents.starts.size() == 1001);
        agents.starts.subList(1, 1001).forEach(FakeAgents.Start::succeed);
        await().atMost(WAIT).until(() -> registry.all().stream().filter(s -> s.state() == SessionState.IDLE)
                .count() == 1001);

        int after = java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();
        assertThat(after - before).as("threads added by 1,000 idle sessions").isLessThan(5);
    }
}
