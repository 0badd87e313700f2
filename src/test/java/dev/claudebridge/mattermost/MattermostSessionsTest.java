package dev.claudebridge.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.mattermost.FakeMattermostSettings;
import dev.claudebridge.testkit.mattermost.MmPost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mattermost end to end for finding and resuming sessions: the resume question (a conversation the CLI no longer
 * has), answered by reaction. The real CLI against the fake model, as in {@link MattermostFlowTest}.
 */
@Timeout(120)
final class MattermostSessionsTest {

    private Path root;

    private MattermostWorld world;

    @BeforeEach
    void root() throws java.io.IOException {
        root = Files.createTempDirectory("mattermost-sessions");
    }

    @AfterEach
    void stop() throws java.io.IOException {
        try {
            if (world != null) {
                world.close();
            }
        } finally {
            try (var paths = Files.walk(root)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A session with one answered turn, its CLI stopped with !stop and its transcript deleted. */
    private String sessionWithoutTranscript() throws Exception {
        world.api.on(Match.userTextContains("What was"), Reply.text("It was PLUM-3."))
                .on(Match.userTextContains("codeword"), Reply.text("Noted the codeword."))
                .on(Match.userTextContains("again"), Reply.text("Hello again."));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new remember the codeword PLUM-3");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()).id();
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Noted the codeword.")
                && p.message().contains("⏱"));
        world.mm.reply(world.mm.owner(), thread, "!stop");
        world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("⏹️"));
        // The CLI keeps each conversation as projects/<cwd slug>/<id>.jsonl under CLAUDE_CONFIG_DIR ($DATA_DIR/claude).
        List<Path> transcripts;
        try (Stream<Path> files = Files.walk(root.resolve("data").resolve("claude").resolve("projects"))) {
            transcripts = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
        }
        assertThat(transcripts).isNotEmpty();
        for (Path f : transcripts) {
            Files.delete(f);
        }
        return thread;
    }

    /** A stopped session resumed by a reply posts its status as a card; !continue shows the same card. */
    @Test
    void aResumedSessionAndContinueShowTheStatusCard() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        world.api.on(Match.userTextContains("What was"), Reply.text("It was PLUM-3."))
                .on(Match.userTextContains("codeword"), Reply.text("Noted the codeword."));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new remember the codeword PLUM-3");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()).id();
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("⏱"));
        world.mm.reply(world.mm.owner(), thread, "!stop");
        world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("⏹️"));

        world.mm.reply(world.mm.owner(), thread, "What was the codeword?");
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("It was PLUM-3.")
                && p.message().contains("⏱"));
        MmPost resumed = world.botPost(p -> p.rootId().equals(thread)
                && p.message().startsWith("#### 🔄 Session resumed"));
        assertThat(resumed.message()).contains("remember the codeword PLUM-3", "**Prompts so far**\n1", "**Cost**",
                "**Started**");

        world.mm.post(world.mm.owner(), dm, "!continue");
        world.botPost(p -> p.channelId().equals(dm) && p.message().contains("most recent session"));
        MmPost card = world.botPost(p -> p.rootId().equals(thread)
                && p.message().startsWith("#### 📌 Your most recent session"));
        assertThat(card.message()).contains("remember the codeword PLUM-3", "**Prompts so far**\n2", "**State**");
    }

    @Test
    void theResumeQuestionAnsweredStartFreshRunsTheWaitingPrompt() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        String thread = sessionWithoutTranscript();
        int requests = world.api.requests().size();

        world.mm.reply(world.mm.owner(), thread, "hello again");

        MmPost question = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("⚠️"));
        assertThat(question.message()).contains("could not be resumed (its transcript was not found)",
                "Your prompt waits", ":one: Start fresh", ":two: Abort");
        assertThat(world.api.requests()).as("nothing runs before the owner chooses").hasSize(requests);

        world.mm.react(world.mm.owner(), question.id(), "one");

        world.botPost(p -> p.rootId().equals(thread) && p.message().equals("Started a fresh conversation."));
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Hello again.")
                && p.message().contains("⏱"));
        assertThat(world.api.requests().getLast().body().path("messages").toString()).doesNotContain("PLUM-3");
    }

    /** The prompt waiting on the question is in the stored inbox: after a restart the question is asked again. */
    @Test
    void theResumeQuestionIsAskedAgainAfterARestartAndThePromptStillRuns() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        String thread = sessionWithoutTranscript();
        world.mm.reply(world.mm.owner(), thread, "hello again");
        world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("⚠️"));

        world = world.restarted();

        until(() -> world.botPostsIn(thread).stream().filter(p -> p.message().startsWith("⚠️")).count() == 2);
        MmPost again = world.botPostsIn(thread).stream().filter(p -> p.message().startsWith("⚠️")).toList().get(1);
        assertThat(again.message()).contains("Your prompt waits");
        world.awaitState(again.id(), p -> p.message().contains(":one: Start fresh"));
        world.mm.react(world.mm.owner(), again.id(), "one");
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Hello again.")
                && p.message().contains("⏱"));
    }

    @Test
    void theResumeQuestionAnsweredAbortEndsTheSessionAndDropsThePrompt() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        String thread = sessionWithoutTranscript();
        int requests = world.api.requests().size();

        world.mm.reply(world.mm.owner(), thread, "hello again");
        MmPost question = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("⚠️"));
        world.mm.react(world.mm.owner(), question.id(), "two");

        MmPost aborted = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("Aborted"));
        assertThat(aborted.message()).contains("1 waiting prompt(s) dropped", "hello again");
        assertThat(world.awaitState(thread, p -> p.message().contains("Session ended")).message())
                .contains("start a new one with !new");
        assertThat(world.api.requests()).hasSize(requests);
    }

    private MattermostWorld withFriendAsAdmin() throws Exception {
        return MattermostWorld.start(root, false, FakeMattermostSettings.defaults(),
                mm -> java.util.Map.of("MATTERMOST_ADMIN_USERS", mm.friend().id()));
    }

    /** A session started with !new where given; its thread's id once the first answer is in. */
    private String session(dev.claudebridge.testkit.mattermost.MmUser user, String channel, String prompt) {
        world.mm.post(user, channel, "!new " + prompt);
        String thread = world.botPost(p -> p.channelId().equals(channel) && p.rootId().isEmpty()
                && p.message().equals(prompt)).id();
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Fine.") && p.message().contains("⏱"));
        return thread;
    }

    /** An admin (MATTERMOST_ADMIN_USERS) stops someone else's session with !stop in its thread; a non-admin may not. */
    @Test
    void anAdminStopsSomeoneElsesSessionInItsThread() throws Exception {
        world = withFriendAsAdmin();
        world.api.on(Match.any(), Reply.text("Fine."));
        String square = world.mm.townSquare().id();
        String owners = session(world.mm.owner(), square, "the owner's session");
        String friends = session(world.mm.friend(), square, "the friend's session");

        world.mm.reply(world.mm.owner(), friends, "!stop");
        assertThat(world.botPost(p -> p.rootId().equals(friends) && p.message().startsWith("Only")).message())
                .isEqualTo("Only the session's owner can do this.");

        world.mm.reply(world.mm.friend(), owners, "!stop");
        MmPost said = world.botPost(p -> p.rootId().equals(owners) && p.message().startsWith("🛡️"));
        assertThat(said.message()).contains("stopped by the admin").doesNotContain("stop-all");
        world.botPost(p -> p.rootId().equals(owners) && p.message().startsWith("⏹️ Session stopped"));
        world.botPost(p -> p.rootId().equals(owners) && p.message().startsWith("Stopped"));
        assertThat(world.registry.get("mattermost", friends).orElseThrow().state().active()).isTrue();
    }

    /** !stopall: refused to a user who is no admin; an admin confirms by reaction and every session stops. */
    @Test
    void anAdminStopsEverySessionWithStopAllAfterConfirming() throws Exception {
        world = withFriendAsAdmin();
        world.api.on(Match.any(), Reply.text("Fine."));
        String ownerDm = world.ownerDm();
        String friendDm = world.mm.directChannel(world.mm.friend(), world.mm.bot()).id();
        String owners = session(world.mm.owner(), ownerDm, "the owner's session");
        String friends = session(world.mm.friend(), friendDm, "the friend's session");

        world.mm.post(world.mm.owner(), ownerDm, "!stopall");
        assertThat(world.botPost(p -> p.channelId().equals(ownerDm) && p.message().startsWith("Only")).message())
                .isEqualTo("Only the bot's admins can do this.");

        world.mm.post(world.mm.friend(), friendDm, "!stopall");
        MmPost confirm = world.botPost(p -> p.channelId().equals(friendDm) && p.message().startsWith("🛑 Stop all"));
        assertThat(confirm.message()).contains("2 active session(s)", ":one: Stop all", ":two: Cancel");
        assertThat(world.registry.get("mattermost", owners).orElseThrow().state().active()).isTrue();

        world.mm.react(world.mm.friend(), confirm.id(), "one");

        assertThat(world.awaitState(confirm.id(), p -> p.message().startsWith("🛑 Stopped")).message())
                .isEqualTo("🛑 Stopped 2 session(s).");
        for (String thread : List.of(owners, friends)) {
            assertThat(world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("🛡️")).message())
                    .contains("(stop-all)");
            world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("⏹️ Session stopped"));
            assertThat(world.registry.get("mattermost", thread).orElseThrow().state().name()).isEqualTo("STOPPED");
        }
    }

    private long resumedCards(String thread) {
        return world.botPostsIn(thread).stream().filter(p -> p.message().startsWith("#### 🔄 Session resumed")).count();
    }

    /** !sessions with its picker (numbered reactions), as the owner and then as an admin who is not the owner. */
    @Test
    void sessionsListsAndItsPickerResumesAsAUserAndAsAnAdmin() throws Exception {
        world = withFriendAsAdmin();
        world.api.on(Match.any(), Reply.text("Fine."));
        String ownerDm = world.ownerDm();
        String friendDm = world.mm.directChannel(world.mm.friend(), world.mm.bot()).id();
        String owners = session(world.mm.owner(), ownerDm, "the owner's session");
        world.mm.reply(world.mm.owner(), owners, "!stop");
        world.botPost(p -> p.rootId().equals(owners) && p.message().startsWith("⏹️"));

        world.mm.post(world.mm.owner(), ownerDm, "!sessions");
        MmPost mine = world.botPost(p -> p.channelId().equals(ownerDm) && p.message().startsWith("#### Your sessions"));
        assertThat(mine.message()).contains("the owner's session", "stopped · last active", "/_redirect/pl/" + owners,
                ":one: the owner's session");
        world.mm.react(world.mm.owner(), mine.id(), "one");
        assertThat(world.awaitState(mine.id(), p -> p.message().startsWith("▶️")).message()).startsWith("▶️ Resumed");
        world.botPost(p -> p.rootId().equals(owners) && p.message().startsWith("#### 🔄 Session resumed"));

        world.mm.reply(world.mm.owner(), owners, "!stop");
        until(() -> world.registry.get("mattermost", owners).orElseThrow().state().name().equals("STOPPED"));
        world.mm.post(world.mm.friend(), friendDm, "!sessions");
        MmPost everyone = world.botPost(p -> p.channelId().equals(friendDm)
                && p.message().startsWith("#### Sessions: yours first, then everyone's"));
        assertThat(everyone.message()).contains("the owner's session", "👤 ", ":one: the owner's session");
        world.mm.react(world.mm.friend(), everyone.id(), "one");
        assertThat(world.awaitState(everyone.id(), p -> p.message().startsWith("▶️")).message())
                .startsWith("▶️ Resumed");
        assertThat(world.botPost(p -> p.rootId().equals(owners) && p.message().startsWith("🛡️")).message())
                .contains("resumed by the admin");
        until(() -> resumedCards(owners) == 2);
    }

    private static void until(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + MattermostWorld.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("in time").isLessThan(deadline);
            MattermostWorld.sleep(50);
        }
    }
}
