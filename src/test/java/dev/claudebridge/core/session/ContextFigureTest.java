package dev.claudebridge.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudebridge.core.port.AgentEvent;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.ContextUsage;
import dev.claudebridge.core.port.SessionMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The context figure in a turn's footer and what a compaction or a clear says, with port fakes and virtual time: the
 * figure is the agent's, a figure that does not come holds the reply's end for {@link ThreadSession#CONTEXT_WAIT} at
 * most and is then left out, and a failing one never fails the turn.
 */
@Timeout(30)
final class ContextFigureTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

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
    private final SessionRegistry registry = new SessionRegistry(agents, new InMemorySessionStore(),
            new SessionSettings(Path.of("/tmp"), 2, Duration.ofMinutes(5), Duration.ofMinutes(30),
                    Duration.ofMinutes(30), 5, 2000), clock, time, SessionMetrics.NONE, AgentVersion.UNKNOWN);

    {
        registry.attach(chat);
    }

    private FakeAgents.Agent turn(String prompt, Mono<ContextUsage> context) {
        ThreadSession session = registry.create(chat, "t1", "title", "main", "guild", "owner", Path.of("/tmp"),
                Optional.empty());
        session.offer(new Prompt(prompt, "owner", Optional.empty(), Instant.now()));
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        FakeAgents.Agent agent = agents.starts.getFirst().succeed();
        agent.context = context;
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);
        return agent;
    }

    private String footer() {
        await().atMost(WAIT).until(() -> chat.edits.stream().anyMatch(e -> e.text().contains("⏱")));
        return chat.edits.stream().filter(e -> e.text().contains("⏱")).findFirst().orElseThrow().text();
    }

    @Test
    void theFooterShowsTheAgentsFigure() {
        FakeAgents.Agent agent = turn("hello", Mono.just(new ContextUsage(42, 423_000, 1_000_000)));
        agent.finishTurn("0.01");
        assertThat(footer()).contains("⏱", "$0.0100", "context 42% full");
    }

    @Test
    void aFigureThatDoesNotComeHoldsTheEndForTheWaitAtMostAndIsLeftOut() {
        FakeAgents.Agent agent = turn("hello", Mono.never());
        agent.finishTurn("0.01");

        time.advanceTimeBy(ThreadSession.CONTEXT_WAIT.minusMillis(100));
        assertThat(chat.edits).as("the end waits for the figure").noneMatch(e -> e.text().contains("⏱"));
        time.advanceTimeBy(Duration.ofMillis(200));
        assertThat(footer()).contains("$0.0100").doesNotContain("context");
        await().atMost(WAIT).until(() -> registry.get("fake", "t1").orElseThrow().state() == SessionState.IDLE);
    }

    @Test
    void aFigureThatFailsIsLeftOutAndTheTurnEndsAsUsual() {
        FakeAgents.Agent agent = turn("hello", Mono.error(new IllegalStateException("no answer")));
        agent.finishTurn("0.01");
        assertThat(footer()).contains("$0.0100").doesNotContain("context");
        await().atMost(WAIT).until(() -> registry.get("fake", "t1").orElseThrow().totals().promptsAnswered() == 1);
    }

    @Test
    void aCompactionIsSaidAboveTheFooterInTheAgentsFigures() {
        FakeAgents.Agent agent = turn("/compact", Mono.just(new ContextUsage(1, 2_555, 1_000_000)));
        agent.events.tryEmitNext(new AgentEvent.Compacted(false, 433_040, Optional.of(2_555L)));
        agent.finishTurn("0.02");
        assertThat(footer()).contains("🗜️ Compacted: the context went from 433,040 tokens to 2,555 tokens "
                + "(430,485 tokens freed)", "context 1% full");
    }

    @Test
    void aCompactThatFoundNothingSaysSo() {
        FakeAgents.Agent agent = turn("/compact", Mono.empty());
        agent.finishTurn("0");
        assertThat(footer()).contains(Texts.NOTHING_TO_COMPACT);
    }

    @Test
    void aCompactThatFailedSaysWhy() {
        FakeAgents.Agent agent = turn("/compact", Mono.empty());
        agent.events.tryEmitNext(new AgentEvent.CompactFailed("Error during compaction: API Error: 500"));
        agent.finishTurn("0");
        assertThat(footer()).contains("⚠️ Not compacted: Error during compaction: API Error: 500")
                .doesNotContain(Texts.NOTHING_TO_COMPACT);
    }

    @Test
    void aClearIsSaid() {
        FakeAgents.Agent agent = turn("/clear", Mono.empty());
        agent.events.tryEmitNext(new AgentEvent.Cleared());
        agent.finishTurn("0");
        assertThat(footer()).contains("🧹 Cleared: this is a fresh conversation");
    }

    @Test
    void onlyTheCommandsThemselvesAreCommands() {
        assertThat(ContextCommand.of("/compact")).contains(ContextCommand.COMPACT);
        assertThat(ContextCommand.of("  /compact keep the API notes ")).contains(ContextCommand.COMPACT);
        assertThat(ContextCommand.of("/clear")).contains(ContextCommand.CLEAR);
        assertThat(ContextCommand.of("/compacted")).isEmpty();
        assertThat(ContextCommand.of("please /clear this")).isEmpty();
        assertThat(ContextCommand.of("/clearly")).isEmpty();
    }
}
