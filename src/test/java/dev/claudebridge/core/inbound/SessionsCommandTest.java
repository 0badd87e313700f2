package dev.claudebridge.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.session.FakeAgents;
import dev.claudebridge.core.session.FakeChat;
import dev.claudebridge.core.session.InMemorySessionStore;
import dev.claudebridge.core.session.Prompt;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.SessionSettings;
import dev.claudebridge.core.session.SessionState;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/** /sessions, /stop in a thread and /stop n, and commands named the platform's way, with port fakes. */
@Timeout(60)
final class SessionsCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Actor OWNER = Actor.member("owner", Set.of());
    private static final Actor FRIEND = Actor.member("friend", Set.of("role-1"));

    @TempDir
    Path workspace;

    private final FakeChat chat = new FakeChat("fake");
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private SessionRegistry registry;
    private Bridge bridge;
    private int calls;

    @BeforeEach
    void bridge() {
        registry = new SessionRegistry(new FakeAgents(), new InMemorySessionStore(), new SessionSettings(workspace,
                10, Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(30), 5, 16),
                clock, SessionMetrics.NONE, AgentVersion.UNKNOWN);
        registry.attach(chat);
        bridge = bridgeFor(chat);
    }

    private Bridge bridgeFor(FakeChat platform) {
        return new Bridge(registry, platform, new AccessPolicy(Set.of("owner"), Set.of("role-1"), false), "main",
                workspace, Schedulers.boundedElastic(), timer, clock, Bridge.CHOICE_TTL);
    }

    @AfterEach
    void stopTimer() {
        timer.dispose();
    }

    /** A session of the owner's started a minute after the one before. */
    private ThreadSession session(FakeChat on, String owner, String title) {
        clock.advance(Duration.ofMinutes(1));
        return registry.create(on, "t-" + title, title, "main", "scope", owner, workspace, Optional.empty());
    }

    private ThreadSession session(String title) {
        return session(chat, "owner", title);
    }

    private CommandCall call(String name, Actor actor, String channel, Map<String, String> options) {
        return new CommandCall(name, "call-" + (++calls), actor, channel, "scope", options);
    }

    private Reply run(String name, Actor actor, String channel, Map<String, String> options) {
        return switch (bridge.command(call(name, actor, channel, options))) {
            case Answer.Now now -> now.reply();
            case Answer.Later later -> later.reply().block(WAIT);
        };
    }

    private Card sessions() {
        Reply reply = run("sessions", OWNER, "main", Map.of());
        assertThat(reply.ephemeral()).as("to the caller alone").isTrue();
        return reply.card().orElseThrow();
    }

    private static List<String> names(Card card) {
        return card.fields().stream().map(Card.Field::name).toList();
    }

    @Test
    void noSessionsSaysHowToStartOne() {
        Reply reply = run("sessions", OWNER, "main", Map.of());
        assertThat(reply.ephemeral()).isTrue();
        assertThat(reply.card()).isEmpty();
        assertThat(reply.text()).isEqualTo(Texts.noSessions(chat.markup(), chat.markup().channel("main"), true))
                .contains("/new", "#main");
    }

    @Test
    void activeOnesComeFirstNumberedInTheOrderTheyStartedThenTheOthersMostRecentlyActiveFirst() {
        ThreadSession first = session("first");
        session("second");
        ThreadSession third = session("third");
        ThreadSession fourth = session("fourth");
        ThreadSession fifth = session("fifth");
        session(chat, "friend", "not mine");
        // The first is active last, so among the stopped ones it comes before the third.
        clock.advance(Duration.ofMinutes(1));
        first.offer(new Prompt("more", "owner", Optional.empty(), clock.instant()));
        await(() -> first.lastActivity().equals(clock.instant()));
        first.stop().block(WAIT);
        third.stop().block(WAIT);
        fourth.end().block(WAIT);
        // A prompt to the fifth (active) does not move it before the second: numbers stay as /sessions showed them.
        fifth.offer(new Prompt("busy", "owner", Optional.empty(), clock.instant()));

        Card card = sessions();

        assertThat(card.title()).isEqualTo(Texts.SESSIONS_TITLE);
        assertThat(names(card)).containsExactly("1. second", "2. fifth", "first", "fourth", "third");
        assertThat(card.description()).hasValueSatisfying(d -> assertThat(d).contains("/stop"));
        assertThat(card.fields().get(0).value()).startsWith("starting · started at ")
                .contains(Texts.summary(registry.get("t-second").orElseThrow().totals()))
                .endsWith("\n#t-second");
        assertThat(card.fields().get(2).value()).startsWith("stopped · last active at " + first.lastActivity())
                .endsWith("\n#t-first");
        assertThat(card.fields().get(3).value()).startsWith("ended · ");
    }

    @Test
    void anotherPlatformsSessionsAreNotListed() {
        FakeChat other = new FakeChat("other", "!");
        registry.attach(other);
        session(other, "owner", "elsewhere");
        assertThat(run("sessions", OWNER, "main", Map.of()).card()).isEmpty();
        session("here");
        assertThat(names(sessions())).containsExactly("1. here");
    }

    @Test
    void atMostTwentyAreListedAndTheCardSaysHowManyMore() {
        for (int i = 1; i <= 23; i++) {
            ThreadSession s = session("s" + i);
            if (i > 2) {
                s.end().block(WAIT);
            }
        }
        Card card = sessions();
        assertThat(card.fields()).hasSize(SessionsCommand.MAX_LISTED);
        assertThat(names(card).subList(0, 3)).containsExactly("1. s1", "2. s2", "s23");
        assertThat(card.description()).hasValueSatisfying(d -> assertThat(d)
                .contains("The 20 most recent of 23 are shown; 3 more are not."));
    }

    @Test
    void laterPagesAreShownByNumberAndABadPageIsSaid() {
        for (int i = 1; i <= 23; i++) {
            ThreadSession s = session("s" + i);
            if (i > 2) {
                s.end().block(WAIT);
            }
        }
        Reply second = run("sessions", OWNER, "main", Map.of("page", "2"));
        assertThat(names(second.card().orElseThrow())).containsExactly("s5", "s4", "s3");
        assertThat(second.card().orElseThrow().description()).hasValueSatisfying(d -> assertThat(d)
                .contains("Page 2 of 2 (23 sessions)."));
        for (String bad : List.of("0", "3", "x")) {
            assertThat(run("sessions", OWNER, "main", Map.of("page", bad)).text()).as(bad)
                    .isEqualTo(Texts.noSuchPage(chat.markup(), bad, 2));
        }
    }

    @Test
    void anAdminSeesTheirOwnFirstThenEveryoneElsesAndOthersSeeOnlyTheirs() {
        bridge = new Bridge(registry, chat, new AccessPolicy(Set.of("owner"), Set.of("role-1"), false),
                MainPlace.channel("main"), workspace, Schedulers.boundedElastic(), timer, clock, Bridge.CHOICE_TTL,
                new Admins(Set.of(), Set.of("role-1")));
        session("mine");
        ThreadSession theirs = session(chat, "friend", "theirs");
        theirs.stop().block(WAIT);

        Reply admin = run("sessions", FRIEND, "main", Map.of());
        Card all = admin.card().orElseThrow();
        assertThat(all.title()).isEqualTo(Texts.ALL_SESSIONS_TITLE);
        assertThat(names(all)).containsExactly("theirs", "mine");
        assertThat(all.fields().get(1).value()).startsWith(Texts.ownedBy(chat.markup(), "owner"));
        assertThat(all.fields().get(0).value()).doesNotContain("👤");

        Card own = sessions();
        assertThat(own.title()).isEqualTo(Texts.SESSIONS_TITLE);
        assertThat(names(own)).containsExactly("1. mine");
        // The picker offers what can be resumed: the caller's (and, for the admin, everyone's) that has not ended.
        assertThat(admin.rows()).singleElement().satisfies(row -> assertThat(
                ((dev.claudebridge.core.port.ChatPlatform.ComponentRow.Select) row).options())
                .extracting(dev.claudebridge.core.port.ChatPlatform.Option::value)
                .containsExactly("t-theirs", "t-mine"));
    }

    @Test
    void stopInASessionsThreadStopsThatSessionForItsOwnerOnly() {
        ThreadSession mine = session("mine");
        ThreadSession other = session("other");

        assertThat(run("stop", FRIEND, "t-mine", Map.of()).text()).isEqualTo(Texts.NOT_OWNER);
        assertThat(mine.state()).isEqualTo(SessionState.STARTING);

        // Two active sessions, yet in a thread no picker: that thread's session stops.
        Reply stopped = run("stop", OWNER, "t-mine", Map.of());
        assertThat(stopped.rows()).isEmpty();
        assertThat(stopped.text()).isEqualTo(Texts.stoppedThread(chat.markup(), "t-mine", 0));
        assertThat(mine.state()).isEqualTo(SessionState.STOPPED);
        assertThat(other.state()).isEqualTo(SessionState.STARTING);

        assertThat(run("stop", OWNER, "t-mine", Map.of()).text()).isEqualTo(Texts.NOT_ACTIVE_HERE);
    }

    @Test
    void stopWithANumberStopsThatActiveSessionAndSaysSoWhenThereIsNone() {
        ThreadSession one = session("one");
        ThreadSession two = session("two");
        ThreadSession three = session("three");
        two.offer(new Prompt("recent", "owner", Optional.empty(), clock.instant()));

        for (String bad : List.of("0", "4", "-1", "two", "2.5")) {
            assertThat(run("stop", OWNER, "main", Map.of("n", bad)).text()).as(bad)
                    .isEqualTo(Texts.noSuchSessionNumber(chat.markup(), bad, 3)).contains("/sessions");
        }
        assertThat(List.of(one, two, three)).allSatisfy(s -> assertThat(s.state()).isEqualTo(SessionState.STARTING));

        assertThat(run("stop", OWNER, "main", Map.of("n", " 2 ")).text())
                .isEqualTo(Texts.stoppedThread(chat.markup(), "t-two", 1));
        assertThat(two.state()).isEqualTo(SessionState.STOPPED);
        assertThat(one.state()).isEqualTo(SessionState.STARTING);
        assertThat(three.state()).isEqualTo(SessionState.STARTING);
        // The numbers are those of the list as it is now: the third is now the second.
        assertThat(names(sessions()).subList(0, 2)).containsExactly("1. one", "2. three");
        run("stop", OWNER, "main", Map.of("n", "2"));
        assertThat(three.state()).isEqualTo(SessionState.STOPPED);
        assertThat(one.state()).isEqualTo(SessionState.STARTING);
    }

    @Test
    void helpLinesAndSentencesNameCommandsThePlatformsWay() {
        FakeChat bang = new FakeChat("mm", "!");
        registry.attach(bang);
        Bridge mattermost = bridgeFor(bang);
        Markup m = bang.markup();
        for (Command c : mattermost.commands()) {
            assertThat(c.helpLine(m)).as(c.name()).startsWith("`!" + c.name());
            assertThat(c.helpLine(chat.markup())).as(c.name()).startsWith("`/" + c.name());
        }
        assertThat(mattermost.commands()).extracting(Command::name).contains("sessions");

        String help = ((Answer.Now) mattermost.command(call("help", OWNER, "main", Map.of()))).reply().text();
        assertThat(help.lines()).hasSize(mattermost.commands().size());
        assertThat(help).contains("`!new [prompt] [directory] [model]`", "`!sessions [page]`", "`!stop [n]`",
                "number in !sessions").doesNotContain("/");
        // The Discord wording is what it was.
        assertThat(bridge.commands().get(0).helpLine(chat.markup())).isEqualTo(
                "`/new [prompt] [directory] [model]`: start a session in a new thread (or just post a message here)");

        List<String> sentences = List.of(
                ((Answer.Now) mattermost.command(call("continue", OWNER, "main", Map.of()))).reply().text(),
                ((Answer.Now) mattermost.command(call("export", OWNER, "main", Map.of()))).reply().text(),
                ((Answer.Now) mattermost.command(call("sessions", OWNER, "main", Map.of()))).reply().text(),
                ((Answer.Now) mattermost.command(call("new", OWNER, "elsewhere", Map.of()))).reply().text(),
                Texts.limitReached(m, 5), Texts.limitReachedIn(m, "owner", 5), Texts.endedUseNew(m),
                Texts.failedUseNew(m), Texts.restoreFailed(m, "why"), Texts.statusNone(m),
                Texts.sessionHeader(m, "owner", workspace, Optional.empty()),
                Texts.noSuchSessionNumber(m, "9", 1));
        assertThat(sentences).allSatisfy(s -> assertThat(s).containsPattern("![a-z]+").doesNotContain("/new",
                "/stop", "/export", "/sessions"));
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await().atMost(WAIT).until(condition::getAsBoolean);
    }

    /** A clock the test moves by hand. */
    private static final class TestClock extends Clock {
        private final AtomicReference<Instant> now;

        TestClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
