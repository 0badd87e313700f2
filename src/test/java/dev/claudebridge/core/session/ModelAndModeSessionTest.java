package dev.claudebridge.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.claudebridge.core.port.AgentPermission;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.SessionMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A session's model and permission mode with port fakes: told to a live CLI or kept for the next start (also one
 * that was starting), refused by the CLI and then not kept, stored; a plan approved back to the mode before planning
 * or kept, by the owner only.
 */
@Timeout(30)
final class ModelAndModeSessionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ThreadSession.Setting MODEL = ThreadSession.Setting.MODEL;
    private static final ThreadSession.Setting MODE = ThreadSession.Setting.PERMISSION_MODE;

    private final FakeAgents agents = new FakeAgents();
    private final FakeChat chat = new FakeChat("fake");
    private final InMemorySessionStore store = new InMemorySessionStore();
    private final SessionRegistry registry = new SessionRegistry(agents, store, new SessionSettings(Path.of("/tmp"),
            2, Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(30), 5, 10), Clock.systemUTC(),
            SessionMetrics.NONE, AgentVersion.UNKNOWN);

    ModelAndModeSessionTest() {
        registry.attach(chat);
    }

    private ThreadSession session() {
        return registry.create(chat, "t1", "title", "main", "guild", "owner", Path.of("/tmp"), Optional.of("haiku"));
    }

    private FakeAgents.Agent started(ThreadSession session, int start) {
        await().atMost(WAIT).until(() -> agents.starts.size() == start + 1);
        FakeAgents.Agent agent = agents.starts.get(start).succeed();
        await().atMost(WAIT).until(session::cliAlive);
        return agent;
    }

    private Optional<String> storedMode() {
        return store.loadSessions().blockFirst(WAIT).permissionMode();
    }

    @Test
    void withoutACliAChangeIsKeptForTheNextStartAndStored() {
        ThreadSession session = session();
        assertThat(session.change(MODEL, "opus").block(WAIT)).as("no live CLI took it").isFalse();
        assertThat(session.change(MODE, "plan").block(WAIT)).isFalse();

        session.offer(new Prompt("go", "owner", Optional.empty(), Instant.now()));
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        assertThat(agents.starts.getFirst().spec.model()).contains("opus");
        assertThat(agents.starts.getFirst().spec.permissionMode()).contains("plan");
        assertThat(session.modes()).isEqualTo(new ThreadSession.Modes(Optional.of("opus"), Optional.of("plan"),
                Optional.of("default")));
        session.flush().block(WAIT);
        var record = store.loadSessions().blockFirst(WAIT);
        assertThat(record.model()).contains("opus");
        assertThat(record.permissionMode()).contains("plan");
        assertThat(record.planReturnMode()).contains("default");
    }

    @Test
    void aLiveCliIsToldAndWhatItRefusesIsNotKept() {
        ThreadSession session = session();
        session.warmUp().subscribe();
        FakeAgents.Agent agent = started(session, 0);
        assertThat(agents.starts.getFirst().spec.model()).contains("haiku");

        assertThat(session.change(MODEL, "sonnet").block(WAIT)).isTrue();
        assertThat(agent.changes).containsExactly("model:sonnet");
        assertThat(session.modes().model()).contains("sonnet");

        agent.refuseNextChange = "Cannot set permission mode to bypassPermissions because it is disabled";
        assertThatThrownBy(() -> session.change(MODE, "bypassPermissions").block(WAIT))
                .hasMessageContaining("disabled");
        assertThat(session.modes().permissionMode()).isEmpty();
        session.flush().block(WAIT);
        assertThat(storedMode()).isEmpty();
    }

    @Test
    void aChangeWhileTheCliStartsIsToldToItOnceStarted() {
        ThreadSession session = session();
        session.warmUp().subscribe();
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        assertThat(session.change(MODE, "acceptEdits").block(WAIT)).isFalse();
        FakeAgents.Agent agent = agents.starts.getFirst().succeed();
        await().atMost(WAIT).until(() -> agent.changes.contains("mode:acceptEdits"));
    }

    @Test
    void anEndedSessionChangesNoMore() {
        ThreadSession session = session();
        session.end().block(WAIT);
        assertThatThrownBy(() -> session.change(MODEL, "opus").block(WAIT)).hasMessageContaining("ended");
    }

    private FakeAgents.Permission planAsked(FakeAgents.Agent agent, Optional<String> plan) {
        FakeAgents.Permission asked = new FakeAgents.Permission("p1", "ExitPlanMode", Map.of());
        asked.plan = plan;
        agent.permissions.tryEmitNext(asked);
        await().atMost(WAIT).until(() -> chat.textsIn("t1").stream().anyMatch(t -> t.startsWith("📋")));
        return asked;
    }

    private Shown planRows() {
        FakeChat.Said said = chat.posts.stream().filter(p -> p.text().startsWith("📋")).findFirst().orElseThrow();
        return new Shown(said.text(), said.rows());
    }

    private record Shown(String text, List<dev.claudebridge.core.port.ChatPlatform.ComponentRow> rows) {
    }

    @Test
    void anApprovedPlanReturnsToTheModeBeforePlanningForTheOwnerOnly() {
        ThreadSession session = session();
        session.warmUp().subscribe();
        FakeAgents.Agent agent = started(session, 0);
        session.change(MODE, "acceptEdits").block(WAIT);
        session.change(MODE, "plan").block(WAIT);
        assertThat(session.modes().planReturnMode()).contains("acceptEdits");

        FakeAgents.Permission asked = planAsked(agent, Optional.of("1. Do it\n2. Check it"));
        Shown shown = planRows();
        assertThat(shown.text()).contains("1. Do it\n2. Check it");
        var buttons = ((dev.claudebridge.core.port.ChatPlatform.ComponentRow.Buttons) shown.rows().getFirst())
                .buttons();
        assertThat(buttons).extracting(b -> b.label()).containsExactly("Approve", "Keep planning");

        assertThat(session.answerPermission("p1", "friend", "a", List.of()).block(WAIT))
                .isEqualTo(Texts.NOT_OWNER_ANSWER);
        assertThat(session.answerPermission("p1", "owner", "s", List.of()).block(WAIT))
                .as("a plan has no third button").isEqualTo(Texts.UNKNOWN_BUTTON);
        assertThat(session.answerPermission("p1", "owner", "a", List.of()).block(WAIT)).isNull();

        assertThat(asked.modeSet).isEqualTo("acceptEdits");
        assertThat(asked.outcome().block(WAIT)).isEqualTo(AgentPermission.Outcome.ALLOWED);
        await().atMost(WAIT).until(() -> session.modes().permissionMode().equals(Optional.of("acceptEdits")));
        assertThat(session.modes().planReturnMode()).isEmpty();
        await().atMost(WAIT).until(() -> chat.edits.stream().anyMatch(e -> e.text().contains("Plan approved: back to "
                + "`acceptEdits`")));
        session.flush().block(WAIT);
        assertThat(storedMode()).contains("acceptEdits");
    }

    @Test
    void keepPlanningTellsTheModelAndStaysInPlanMode() {
        ThreadSession session = session();
        session.warmUp().subscribe();
        FakeAgents.Agent agent = started(session, 0);
        session.change(MODE, "plan").block(WAIT);

        FakeAgents.Permission asked = planAsked(agent, Optional.empty());
        assertThat(planRows().text()).contains("its plan is in its reply above");
        session.answerPermission("p1", "owner", "d", List.of()).block(WAIT);

        assertThat(asked.denial).isEqualTo(ControlTexts.KEEP_PLANNING_TOLD);
        await().atMost(WAIT).until(() -> chat.edits.stream().anyMatch(e -> e.text().contains("Kept planning")));
        assertThat(session.modes().permissionMode()).contains("plan");
        assertThat(session.modes().planReturnMode()).contains("default");
    }
}
