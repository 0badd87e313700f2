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
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The races of a session whose state was changed from many threads with check-then-set. Each test forces one
 * interleaving with ports completed by hand (the agent's start, its turn, its stop), so it fails the same way every
 * time on a session that is not an actor.
 */
@Timeout(30)
final class SessionRacesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeAgents agents = new FakeAgents();
    private final FakeChat chat = new FakeChat("discord");
    private final InMemorySessionStore store = new InMemorySessionStore();
    private SessionRegistry registry;

    @BeforeEach
    void registry() {
        registry = new SessionRegistry(agents, store, new SessionSettings(Path.of("/tmp"), 10, Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofMinutes(30), 5, 16), Clock.systemUTC(), SessionMetrics.NONE,
                AgentVersion.UNKNOWN);
        registry.attach(chat);
    }

    private ThreadSession session() {
        return registry.create(chat, "t1", "title", "main", "guild", "owner", Path.of("/tmp"), Optional.empty());
    }

    private static Prompt prompt(String text) {
        return new Prompt(text, "owner", Optional.empty(), Instant.now());
    }

    @Test
    void aMessageWhileTheCliWarmsUpStartsNoSecondCli() {
        ThreadSession session = session();
        session.warmUp().subscribe();
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);

        session.offer(prompt("hello")); // arrives while the first start is still under way

        FakeAgents.Agent agent = agents.starts.getFirst().succeed();
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);
        assertThat(agents.starts).as("CLI starts").hasSize(1);
        assertThat(agent.prompts).containsExactly("hello");
    }

    @Test
    void aResumeClickRacingAMessageStartsOneCli() {
        ThreadSession session = session();
        session.warmUp().subscribe();
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        FakeAgents.Agent first = agents.starts.getFirst().succeed();
        await().atMost(WAIT).until(session::cliAlive);
        first.die("killed");
        await().atMost(WAIT).until(() -> session.state() == SessionState.DEAD);

        session.revive(false).subscribe(); // the Resume button
        session.offer(prompt("are you there?")); // and a message in the thread, at the same moment
        await().atMost(WAIT).until(() -> agents.starts.size() >= 2);
        FakeAgents.Agent second = agents.starts.get(1).succeed();

        await().atMost(WAIT).until(() -> second.prompts.size() == 1);
        assertThat(agents.starts).as("CLI starts: the first and one revival").hasSize(2);
    }

    @Test
    void anEndedSessionNeverGetsACliBack() {
        ThreadSession session = session();
        session.end().block(WAIT);

        session.revive(false).onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(WAIT);
        session.offer(prompt("anyone?"));

        assertThat(agents.starts).isEmpty();
        assertThat(session.state()).isEqualTo(SessionState.ENDED);
        assertThat(agents.ended).as("the runtime may release what it kept for the session")
                .containsExactly(session.identity().platform() + ":" + session.identity().threadId());
    }

    @Test
    void aStopThatLandsAsATurnEndsIsNotOverwrittenByIdle() {
        ThreadSession session = session();
        session.offer(prompt("work"));
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        FakeAgents.Agent agent = agents.starts.getFirst().succeed();
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);

        // The turn's end and /stop, one right after the other from two threads.
        Thread ender = Thread.ofPlatform().start(() -> agent.finishTurn("0.01"));
        session.stop().block(WAIT);
        joinQuietly(ender);

        await().atMost(WAIT).until(() -> !session.cliAlive());
        assertThat(session.state()).isEqualTo(SessionState.STOPPED);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> session.state() == SessionState.STOPPED);
    }

    @Test
    void aStoredSessionThatCannotBeRestoredFailsAndStartUpGoesOn() {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        store.saveSession(new SessionStore.SessionRecord("discord", "broken", "x", "main", "guild", "owner", "NO_SUCH_STATE",
                Optional.empty(), "/tmp", Optional.empty(), t, t, t, 0, 0, 0, BigDecimal.ZERO, false)).block();
        store.saveSession(new SessionStore.SessionRecord("discord", "fine", "y", "main", "guild", "owner", "IDLE",
                Optional.empty(), "/tmp", Optional.empty(), t.plusSeconds(1), t, t, 0, 0, 0, BigDecimal.ZERO,
                false)).block();

        assertThat(registry.restore().block(WAIT)).isEqualTo(1);

        assertThat(registry.get("fine")).map(ThreadSession::state).contains(SessionState.STOPPED);
        assertThat(registry.get("broken")).map(ThreadSession::state).contains(SessionState.FAILED);
        await().atMost(WAIT).until(() -> !chat.textsIn("broken").isEmpty());
        assertThat(chat.textsIn("broken").getFirst()).contains("could not be restored");
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
