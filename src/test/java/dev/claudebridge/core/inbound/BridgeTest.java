package dev.claudebridge.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.session.FakeAgents;
import dev.claudebridge.core.session.FakeChat;
import dev.claudebridge.core.session.InMemorySessionStore;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.SessionSettings;
import dev.claudebridge.core.session.Texts;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The inbound port's rules, with port fakes: who may, the per-user limit under a burst, expiring questions. */
@Timeout(60)
final class BridgeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Actor OWNER = Actor.member("owner", Set.of());

    @TempDir
    Path workspace;

    private final FakeChat chat = new FakeChat("fake");
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private SessionRegistry registry;
    private Bridge bridge;
    private int calls;

    @BeforeEach
    void bridge() {
        registry = new SessionRegistry(new FakeAgents(), new InMemorySessionStore(), new SessionSettings(workspace,
                10, Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(30), 5, 16),
                Clock.systemUTC(), SessionMetrics.NONE, AgentVersion.UNKNOWN);
        registry.attach(chat);
        bridge = new Bridge(registry, chat, new AccessPolicy(Set.of("owner"), Set.of("role-1"), false), "main",
                workspace, Schedulers.boundedElastic(), timer, Clock.systemUTC(), Bridge.CHOICE_TTL);
    }

    @AfterEach
    void stopTimer() {
        timer.dispose();
    }

    private CommandCall call(String name, Actor actor) {
        return new CommandCall(name, "call-" + (++calls), actor, "main", "scope", Map.of());
    }

    private Reply replyOf(Answer answer) {
        return switch (answer) {
            case Answer.Now now -> now.reply();
            case Answer.Later later -> later.reply().block(WAIT);
        };
    }

    private static String buttonId(Reply reply, String label) {
        return reply.rows().stream().filter(r -> r instanceof ComponentRow.Buttons)
                .flatMap(r -> ((ComponentRow.Buttons) r).buttons().stream())
                .filter(b -> b.label().equals(label)).findFirst().orElseThrow().customId();
    }

    @Test
    void strangersAndPeopleOutsideTheServerAreRefused() {
        assertThat(replyOf(bridge.command(call("status", Actor.member("stranger", Set.of())))).text())
                .isEqualTo(Texts.REFUSED);
        assertThat(replyOf(bridge.command(call("help", new Actor("owner", Set.of(), false)))).text())
                .isEqualTo(Texts.REFUSED);
        assertThat(replyOf(bridge.command(call("help", Actor.member("friend", Set.of("role-1"))))).text())
                .contains("/new");
        assertThat(bridge.click(new Click(Actor.member("stranger", Set.of()), "int:t1", List.of())))
                .isEqualTo(new ClickAnswer.Refuse(Texts.REFUSED));
    }

    @Test
    void aModelNameThatIsNoNameIsRefusedBeforeAnySessionIsMade() {
        Actor owner = Actor.member("owner", Set.of());
        for (String bad : List.of("x".repeat(101), "opus; rm -rf /", "ópus", "-flag", "a b", "x\ny")) {
            CommandCall withModel = new CommandCall("new", "call-" + (++calls), owner, "main", "scope",
                    Map.of("model", bad));
            assertThat(replyOf(bridge.command(withModel)).text()).as(bad).startsWith("🚫 That is not a model name");
        }
        assertThat(bridge.sessions().activeOf("owner")).isEmpty();
        for (String good : List.of("opus", "sonnet", "claude-opus-4-5-20251101", "opus[1m]",
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-opus-5-5")) {
            assertThat(NewCommand.validModel(good)).as(good).isTrue();
        }
    }

    /** Two quick /new (the first's thread not made yet): the second asks to confirm, as it does once the first is. */
    @Test
    void aSecondNewBeforeTheFirstSessionExistsStillAsksToConfirm() {
        Answer first = bridge.command(call("new", OWNER));
        Reply second = replyOf(bridge.command(call("new", OWNER)));
        assertThat(second.text()).contains("Start another?");
        assertThat(replyOf(first).text()).contains("Session started");
        await().atMost(WAIT).until(() -> registry.activeOf("owner").size() == 1);
    }

    /** Before the core took the limit at the click, ten confirmations opened with one session gave eleven sessions. */
    @Test
    void tenConfirmationsClickedAtOnceNeverGoPastTheLimit() {
        replyOf(bridge.command(call("new", OWNER))); // the first session: no confirmation
        await().atMost(WAIT).until(() -> registry.activeOf("owner").size() == 1);
        List<String> starts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            starts.add(buttonId(replyOf(bridge.command(call("new", OWNER))), "Start"));
        }

        List<ClickAnswer> answers = starts.parallelStream()
                .map(id -> bridge.click(new Click(OWNER, id, List.of()))).toList();
        answers.stream().filter(a -> a instanceof ClickAnswer.Work)
                .forEach(a -> ((ClickAnswer.Work) a).result().block(WAIT));

        assertThat(registry.activeOf("owner")).hasSize(5);
        assertThat(answers).filteredOn(a -> a instanceof ClickAnswer.Close).hasSize(6)
                .allSatisfy(a -> assertThat(((ClickAnswer.Close) a).text()).hasValueSatisfying(t ->
                        assertThat(t).contains("MAX_SESSIONS_PER_USER")));
    }

    @Test
    void aConfirmationLeftUnansweredExpiresSaysSoAndCannotBeClickedAfter() {
        replyOf(bridge.command(call("new", OWNER)));
        await().atMost(WAIT).until(() -> registry.activeOf("owner").size() == 1);
        Reply confirm = replyOf(bridge.command(call("new", OWNER)));
        AtomicReference<String> expired = new AtomicReference<>();
        confirm.expired().subscribe(expired::set);

        timer.advanceTimeBy(Bridge.CHOICE_TTL.minusSeconds(1));
        assertThat(expired.get()).isNull();
        timer.advanceTimeBy(Duration.ofSeconds(1));

        assertThat(expired.get()).isEqualTo(Texts.EXPIRED);
        assertThat(bridge.click(new Click(OWNER, buttonId(confirm, "Start"), List.of())))
                .isEqualTo(new ClickAnswer.Refuse(Texts.NOT_YOURS_OR_EXPIRED));
        assertThat(registry.activeOf("owner")).hasSize(1);
    }

    @Test
    void anAnsweredConfirmationNeverExpiresAndOnlyItsOwnerMayAnswer() {
        replyOf(bridge.command(call("new", OWNER)));
        await().atMost(WAIT).until(() -> registry.activeOf("owner").size() == 1);
        Reply confirm = replyOf(bridge.command(call("new", OWNER)));
        List<String> expired = new ArrayList<>();
        confirm.expired().subscribe(expired::add);
        Actor friend = Actor.member("friend", Set.of("role-1"));

        assertThat(bridge.click(new Click(friend, buttonId(confirm, "Cancel"), List.of())))
                .isEqualTo(new ClickAnswer.Refuse(Texts.NOT_YOURS_OR_EXPIRED));
        assertThat(bridge.click(new Click(OWNER, buttonId(confirm, "Cancel"), List.of())))
                .isInstanceOfSatisfying(ClickAnswer.Close.class, c -> assertThat(c.text()).contains(Texts.CANCELLED));
        timer.advanceTimeBy(Bridge.CHOICE_TTL.multipliedBy(2));
        assertThat(expired).isEmpty();
    }
}
