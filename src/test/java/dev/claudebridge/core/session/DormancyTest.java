package dev.claudebridge.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.port.SessionStore;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions without a live CLI are not all kept in memory (issue "Hardening", bounded memory): a restored session
 * with nothing to do, and a session quiet for {@code IDLE_TIMEOUT} with no CLI, keep only their record; addressing
 * the thread makes the session again, and nothing sent to it in between is lost.
 */
@Timeout(30)
final class DormancyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration IDLE = Duration.ofMinutes(30);
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
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
    private final FakeAgents agents = new FakeAgents();
    private final FakeChat chat = new FakeChat("discord");
    private final InMemorySessionStore store = new InMemorySessionStore();
    private SessionRegistry registry;

    @BeforeEach
    void registry() {
        registry = new SessionRegistry(agents, store, new SessionSettings(Path.of("/tmp"), 10, Duration.ofMinutes(5),
                Duration.ofMinutes(30), IDLE, 5, 16), clock, SessionMetrics.NONE, AgentVersion.UNKNOWN);
        registry.attach(chat);
    }

    private void stored(String thread, SessionState state, String owner, int minutesAgo) {
        Instant at = T0.minus(Duration.ofMinutes(minutesAgo));
        store.saveSession(new SessionStore.SessionRecord("discord", thread, "title " + thread, "main", "guild", owner,
                state.name(), Optional.empty(), "/tmp", Optional.of("conv-" + thread), at, at, at, 2, 10, 20,
                new BigDecimal("0.50"), false)).block(WAIT);
    }

    private static Prompt prompt(String text) {
        return new Prompt(text, "owner", Optional.empty(), Instant.now());
    }

    /** The session's first prompt sent and its CLI started: the turn is running. */
    private FakeAgents.Agent firstTurnRunning(ThreadSession session) {
        session.offer(prompt("first"));
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        FakeAgents.Agent agent = agents.starts.getFirst().succeed();
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);
        return agent;
    }

    @Test
    void restoredSessionsWithNothingToDoStayRecordsUntilTheirThreadIsAddressed() {
        for (int i = 0; i < 500; i++) {
            stored("t" + i, i % 3 == 0 ? SessionState.ENDED : SessionState.STOPPED, "owner", i);
        }
        assertThat(registry.restore().block(WAIT)).isEqualTo(500);
        assertThat(registry.loaded()).as("sessions in memory after the restore").isZero();
        assertThat(registry.dormantCount()).isEqualTo(500);
        assertThat(registry.of("owner")).hasSize(500).first().satisfies(s -> {
            assertThat(s.threadId()).isEqualTo("t0");
            assertThat(s.totals().costUsd()).isEqualByComparingTo("0.50");
        });
        assertThat(registry.count(SessionState.STOPPED)).isEqualTo(333);

        ThreadSession one = registry.get("discord", "t1").orElseThrow();
        assertThat(registry.get("discord", "t1")).containsSame(one);
        one.offer(prompt("go on"));
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        assertThat(agents.starts.getFirst().spec.resumeId()).contains("conv-t1");
        assertThat(registry.loaded()).as("only the addressed session is loaded").isEqualTo(1);
        assertThat(registry.get("discord", "nope")).isEmpty();
    }

    @Test
    void aQuietSessionGoesDormantAndAMessageSentToItsOldReferenceIsNotLost() {
        ThreadSession session = registry.create(chat, "t1", "title", "main", "guild", "owner", Path.of("/tmp"),
                Optional.empty());
        FakeAgents.Agent agent = firstTurnRunning(session);
        agent.finishTurn("0.01");
        await().atMost(WAIT).until(() -> session.state() == SessionState.IDLE);

        now.set(T0.plus(IDLE).plusSeconds(1));
        registry.reapIdle().block(WAIT); // stops the idle CLI
        await().atMost(WAIT).until(() -> !session.cliAlive());
        assertThat(registry.loaded()).as("a session that just lost its CLI stays until the next look").isEqualTo(1);
        registry.flush().block(WAIT);
        now.set(T0.plus(IDLE.multipliedBy(3)));
        registry.reapIdle().block(WAIT);
        assertThat(registry.loaded()).isZero();
        assertThat(registry.dormantCount()).isEqualTo(1);

        session.offer(prompt("second")); // through the reference taken before it slept
        await().atMost(WAIT).until(() -> agents.starts.size() == 2);
        FakeAgents.Agent next = agents.starts.get(1).succeed();
        await().atMost(WAIT).until(() -> next.prompts.size() == 1);
        assertThat(next.prompts).containsExactly("second");
        ThreadSession again = registry.get("discord", "t1").orElseThrow();
        assertThat(again).isNotSameAs(session);
        assertThat(again.totals().promptsAnswered()).as("the totals came back from the record").isEqualTo(1);
    }

    @Test
    void aSessionWithALiveCliOrAWaitingPromptDoesNotGoDormant() {
        ThreadSession session = registry.create(chat, "t1", "title", "main", "guild", "owner", Path.of("/tmp"),
                Optional.empty());
        FakeAgents.Agent agent = firstTurnRunning(session);
        session.offer(prompt("queued"));

        now.set(T0.plus(IDLE.multipliedBy(3)));
        assertThat(session.sleep().block(WAIT)).isFalse();
        registry.reapIdle().block(WAIT);
        assertThat(registry.get("discord", "t1")).containsSame(session);
        assertThat(registry.dormantCount()).isZero();
    }

    @Test
    void anEndedDormantSessionStillAnswersThatItEnded() {
        stored("t1", SessionState.ENDED, "owner", 5);
        registry.restore().block(WAIT);

        registry.get("discord", "t1").orElseThrow().offer(prompt("hello?"));

        await().atMost(WAIT).until(() -> chat.textsIn("t1").stream().anyMatch(t -> t.contains("ended")));
        assertThat(agents.starts).isEmpty();
    }
}
