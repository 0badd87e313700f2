package dev.claudebridge.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudebridge.core.port.AgentEvent;
import dev.claudebridge.core.port.AgentPermission;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.Resumability;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.port.SessionStore;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The session's own rules with port fakes and virtual time: the sessions' timers run on a virtual-time scheduler and
 * their clock reads it, so a test moves time by hand (turn and permission timeouts, idle stop, the edit window) and
 * nothing waits for real time to pass. Queue order and bound, stop, and resume decisions too.
 */
@Timeout(30)
final class ThreadSessionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
    private static final Duration PERMISSION_TIMEOUT = Duration.ofMinutes(5);

    private final FakeAgents agents = new FakeAgents();
    private final FakeChat chat = new FakeChat("fake");
    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
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
            return T0.plusMillis(time.now(TimeUnit.MILLISECONDS));
        }
    };
    private final InMemorySessionStore saved = new InMemorySessionStore();
    private final Sinks.Empty<Void> storeGate = Sinks.empty();
    private volatile boolean gated;
    /** The in-memory store, whose writes wait for {@link #storeGate} while {@link #gated} (a slow database). */
    private final SessionStore store = (SessionStore) Proxy.newProxyInstance(SessionStore.class.getClassLoader(),
            new Class<?>[] {SessionStore.class}, (proxy, method, args) -> {
                Object result = method.invoke(saved, args);
                return gated && method.getName().startsWith("save") ? storeGate.asMono().then((Mono<?>) result)
                        : result;
            });
    private SessionRegistry registry = registry(2, Duration.ofMinutes(30));

    private SessionRegistry registry(int queueLimit, Duration turnTimeout) {
        SessionRegistry r = new SessionRegistry(agents, store, new SessionSettings(Path.of("/tmp"),
                queueLimit, PERMISSION_TIMEOUT, turnTimeout, Duration.ofMinutes(30), 5, 2000), clock, time,
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

        time.advanceTimeBy(Duration.ofMinutes(31));
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
        registry = registry(2, Duration.ofMinutes(30));
        ThreadSession session = session();
        session.offer(prompt("forever"));
        FakeAgents.Agent agent = started(session);
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);

        time.advanceTimeBy(Duration.ofMinutes(29).plusSeconds(59));
        assertThat(agent.interrupts).as("not over TURN_TIMEOUT yet").isZero();
        assertThat(chat.textsIn("t1")).noneMatch(t -> t.contains("TURN_TIMEOUT"));

        time.advanceTimeBy(Duration.ofSeconds(2));
        await().atMost(WAIT).until(() -> chat.textsIn("t1").stream().anyMatch(t -> t.contains("TURN_TIMEOUT")));
        assertThat(agent.interrupts).isPositive();
        await().atMost(WAIT).until(() -> session.state() == SessionState.IDLE);

        session.offer(prompt("next"));
        await().atMost(WAIT).until(() -> agent.prompts.size() == 2);
    }

    @Test
    void anUnansweredPermissionIsDeniedAtItsDeadlineAndSaysSo() {
        ThreadSession session = session();
        session.offer(prompt("use a tool"));
        FakeAgents.Agent agent = started(session);
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);
        FakeAgents.Permission asked = new FakeAgents.Permission("p1", "Bash", Map.of("command", "make"));
        agent.permissions.tryEmitNext(asked);
        await().atMost(WAIT).until(() -> chat.textsIn("t1").stream().anyMatch(t -> t.startsWith("🔐")));
        assertThat(chat.textsIn("t1")).anyMatch(t -> t.contains("Denied automatically at "
                + T0.plus(PERMISSION_TIMEOUT)));

        time.advanceTimeBy(PERMISSION_TIMEOUT.minusSeconds(1));
        assertThat(asked.denial).as("still within PERMISSION_TIMEOUT").isNull();

        time.advanceTimeBy(Duration.ofSeconds(2));
        await().atMost(WAIT).until(() -> asked.denial != null);
        assertThat(asked.denial).isEqualTo("No answer within 5m; denied.");
        await().atMost(WAIT).until(() -> chat.edits.stream().anyMatch(e -> e.text().endsWith("❌ Denied.")));
        assertThat(asked.outcome().block(WAIT)).isEqualTo(AgentPermission.Outcome.DENIED);
    }

    @Test
    void aReplyOlderThanTheEditWindowContinuesOnANewMessage() {
        registry = registry(2, Duration.ofHours(3));
        ThreadSession session = session();
        session.offer(prompt("a long one"));
        FakeAgents.Agent agent = started(session);
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);
        agent.events.tryEmitNext(new AgentEvent.TextDelta("first words"));
        await().atMost(WAIT).until(() -> chat.textsIn("t1").stream().anyMatch(t -> t.contains("first words"))
                || chat.edits.stream().anyMatch(e -> e.text().contains("first words")));
        int posts = chat.textsIn("t1").size();

        time.advanceTimeBy(chat.editWindow().minusMinutes(1));
        agent.events.tryEmitNext(new AgentEvent.TextDelta(", then more"));
        await().atMost(WAIT).until(() -> chat.edits.stream().anyMatch(e -> e.text().contains("first words, then more")));
        assertThat(chat.textsIn("t1")).as("within the edit window the message is edited").hasSize(posts);

        time.advanceTimeBy(Duration.ofMinutes(2)); // the message is now older than the window
        agent.events.tryEmitNext(new AgentEvent.TextDelta(", and the end"));
        await().atMost(WAIT).until(() -> chat.textsIn("t1").stream()
                .anyMatch(t -> t.contains("first words, then more, and the end")));
        assertThat(chat.edits).noneMatch(e -> e.text().contains("and the end"));
        assertThat(chat.textsIn("t1")).hasSize(posts + 1);
    }

    @Test
    void aConversationTheRuntimeCannotResumeAsksAndStartFreshRunsThePromptFresh() {
        ThreadSession session = session();
        session.warmUp().subscribe();
        started(session);
        session.release(Optional.empty()).block(WAIT);
        await().atMost(WAIT).until(() -> !session.cliAlive());

        agents.resumability = Resumability.impossible("its transcript was not found");
        session.offer(prompt("back"));
        await().atMost(WAIT).until(session::resumeAsked);
        assertThat(chat.textsIn("t1")).contains(Texts.resumeQuestion("its transcript was not found", 1));
        assertThat(agents.starts).as("nothing starts before the owner chooses").hasSize(1);
        assertThat(session.waitingCount()).isEqualTo(1);
        session.offer(prompt("and this"));
        await().atMost(WAIT).until(() -> session.waitingCount() == 2);
        assertThat(agents.starts).hasSize(1);

        session.answerResume(true).block(WAIT);
        await().atMost(WAIT).until(() -> agents.starts.size() == 2);
        assertThat(agents.starts.get(1).spec.resumeId()).as("a fresh conversation").isEmpty();
        FakeAgents.Agent fresh = agents.starts.get(1).succeed();
        await().atMost(WAIT).until(() -> fresh.prompts.equals(List.of("back")));
        assertThat(session.resumeAsked()).isFalse();
        assertThat(chat.textsIn("t1")).contains(Texts.STARTED_FRESH);
    }

    @Test
    void aPromptOfferedWhileTheQuestionIsOpenWaitsMarkedEvenWhenNothingElseWaits() {
        ThreadSession session = session();
        session.warmUp().subscribe();
        started(session);
        session.release(Optional.empty()).block(WAIT);
        await().atMost(WAIT).until(() -> !session.cliAlive());

        agents.resumability = Resumability.impossible("its transcript was not found");
        // A revive without a prompt (the Resume button, /sessions' picker) meets the question first.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> session.revive(false).block(WAIT))
                .isInstanceOf(dev.claudebridge.core.port.ResumeRefused.class);
        assertThat(session.resumeAsked()).isTrue();
        assertThat(chat.textsIn("t1")).contains(Texts.resumeQuestion("its transcript was not found", 0));

        session.offer(new Prompt("later", "owner", Optional.of("m-1"), Instant.now()));
        await().atMost(WAIT).until(() -> chat.reactions.contains("t1/m-1/" + ThreadSession.QUEUED));
        assertThat(agents.starts).hasSize(1);
        assertThat(session.waitingCount()).isEqualTo(1);
    }

    @Test
    void aResumeTheAgentRefusesAsksAndAbortEndsTheSessionAndDropsThePrompt() {
        ThreadSession session = session();
        session.warmUp().subscribe();
        started(session);
        session.release(Optional.empty()).block(WAIT);
        await().atMost(WAIT).until(() -> !session.cliAlive());

        session.offer(prompt("back"));
        await().atMost(WAIT).until(() -> agents.starts.size() == 2);
        assertThat(agents.starts.get(1).spec.resumeId()).isPresent();
        agents.starts.get(1).refuseResume("the CLI found no such conversation");

        await().atMost(WAIT).until(session::resumeAsked);
        assertThat(chat.textsIn("t1")).contains(Texts.resumeQuestion("the CLI found no such conversation", 1));
        session.answerResume(false).block(WAIT);
        await().atMost(WAIT).until(() -> session.state() == SessionState.ENDED);
        assertThat(agents.starts).hasSize(2);
        assertThat(session.waitingCount()).isZero();
        assertThat(chat.textsIn("t1")).contains(Texts.abortedResume(List.of("back")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> session.answerResume(true).block(WAIT))
                .hasMessage(Texts.REQUEST_CLOSED);
    }

    @Test
    void aNewSessionsFirstPromptIsStoredBeforeItsCliStarts() {
        gated = true;
        ThreadSession session = session();
        session.offer(prompt("first words"));
        session.warmUp().subscribe();

        time.advanceTimeBy(Duration.ofSeconds(5));
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> agents.starts.isEmpty());
        assertThat(saved.inbox("fake", "t1").collectList().block(WAIT)).isEmpty();

        storeGate.tryEmitEmpty();
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        assertThat(saved.inbox("fake", "t1").map(SessionStore.QueuedPrompt::text).collectList().block(WAIT))
                .containsExactly("first words");
        assertThat(saved.loadSessions().collectList().block(WAIT)).hasSize(1);
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
