package dev.claudebridge.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.mattermost.FakeMattermostSettings;
import dev.claudebridge.testkit.mattermost.MmPost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mattermost end to end: the real CLI against the fake model, the bot's Mattermost adapter against
 * {@link dev.claudebridge.testkit.FakeMattermost} over real HTTP and a real WebSocket. Users act as the fake's
 * people do (posts, replies, reactions, clicks), each announced on the WebSocket as the server would.
 */
@Timeout(120)
final class MattermostFlowTest {

    /**
     * Not JUnit's {@code @TempDir}: a store write that races the shutdown can leave an H2 trace file behind, which
     * would fail the test in its cleanup; the directory is removed as well as it can be.
     */
    private Path root;

    private MattermostWorld world;

    @BeforeEach
    void root() throws java.io.IOException {
        root = Files.createTempDirectory("mattermost-flow");
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

    /** {@code !new} in the DM: a root post for the session, the answer streamed in its thread; a reply is a prompt. */
    @Test
    void newInTheDirectMessageStartsASessionWhoseThreadTakesPrompts() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        world.api.on(Match.userTextContains("say hello"), Reply.text("Hello from the fake model."))
                .on(Match.userTextContains("and again"), Reply.text("Hello once more."));
        String dm = world.ownerDm();

        world.mm.post(world.mm.owner(), dm, "!new --dir . say hello");

        MmPost rootPost = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()
                && p.message().equals("say hello"));
        String thread = rootPost.id();
        MmPost answer = world.botPost(p -> p.rootId().equals(thread) && p.message().contains("⏱"));
        assertThat(answer.message()).contains("Hello from the fake model.");
        assertThat(world.registry.get("mattermost", thread)).isPresent();

        world.mm.reply(world.mm.owner(), thread, "and again");
        assertThat(world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Hello once more.")
                && p.message().contains("⏱"))).isNotNull();

        world.mm.post(world.mm.owner(), dm, "!status");
        MmPost status = world.botPost(p -> p.channelId().equals(dm) && p.message().startsWith("#### "));
        assertThat(status.message()).contains("Your Claude Code sessions", "say hello", "2 prompts");

        world.mm.post(world.mm.owner(), dm, "!sessions");
        MmPost list = world.botPost(p -> p.channelId().equals(dm) && p.message().startsWith("#### ")
                && p.message().contains("/_redirect/pl/" + thread) && !p.message().contains("Claude Code CLI"));
        assertThat(list.message()).contains("say hello");

        world.mm.reply(world.mm.owner(), thread, "!stop");
        assertThat(world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("Stopped")).message())
                .contains(thread);
        assertThat(world.api.requests().stream().filter(r -> r.userText().contains("!stop")).count()).isZero();
    }

    /**
     * A long answer streamed under the server's rate limiter (Mattermost's documented defaults when enabled: 10
     * requests a second, bursts of 100, per token): it continues across posts under the post size, its code fence
     * closed and reopened, and every word arrives.
     */
    @Test
    void aLongReplyContinuesAcrossPostsUnderTheRateLimitAndLosesNothing() throws Exception {
        world = MattermostWorld.start(root, true, FakeMattermostSettings.defaults().withMaxPostSize(2000)
                .withRateLimit(new FakeMattermostSettings.RateLimit(true, 10, 100, false)));
        StringBuilder answer = new StringBuilder("Here it is:\n```\n");
        for (int i = 0; i < 400; i++) {
            answer.append("line").append(String.format("%04d", i)).append('\n');
        }
        answer.append("```\nThe end.");
        world.api.on(Match.userTextContains("long one"), Reply.text(answer.toString()).tokensPerSecond(400));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new long one");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()).id();

        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("⏱"));
        List<MmPost> pages = world.botPostsIn(thread).stream().filter(p -> p.message().contains("line")).toList();
        assertThat(pages).hasSizeGreaterThan(1);
        String all = String.join("\n", pages.stream().map(MmPost::message).toList());
        for (int i = 0; i < 400; i++) {
            assertThat(all).contains("line" + String.format("%04d", i));
        }
        assertThat(all).contains("The end.");
        pages.forEach(p -> {
            assertThat(p.message().codePointCount(0, p.message().length())).isLessThanOrEqualTo(2000);
            assertThat(p.message().split("```", -1).length % 2).as("fences balanced in %s", p.id()).isEqualTo(1);
        });
    }

    /** Interrupt by reaction on the live reply: the turn stops and the reply says so. */
    @Test
    void aReactionInterruptsTheRunningTurn() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        world.api.on(Match.userTextContains("slowly"), Reply.text("word ".repeat(400)).tokensPerSecond(20));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new slowly please");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()).id();
        MmPost live = world.botPost(p -> p.rootId().equals(thread) && p.message().contains("word")
                && p.message().contains(":stop_button: Interrupt"));

        world.mm.react(world.mm.owner(), live.id(), "stop_button");

        MmPost over = world.awaitState(live.id(), p -> p.message().contains("⏱"));
        assertThat(over.message()).contains("Interrupted").doesNotContain("React to answer");
    }

    /** What is said in the wrong place gets a sentence that says where it goes; a stranger is refused. */
    @Test
    void wrongPlacesAndStrangersAreAnswered() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        String dm = world.ownerDm();

        world.mm.post(world.mm.owner(), dm, "please fix the build");
        assertThat(world.botPost(p -> p.channelId().equals(dm)).message())
                .startsWith("Prompts are not accepted in the main DM");

        String ownRoot = world.mm.post(world.mm.owner(), dm, "!help");
        world.botPost(p -> p.channelId().equals(dm) && p.message().contains("new"));
        world.mm.reply(world.mm.owner(), ownRoot, "is this a session?");
        assertThat(world.botPost(p -> p.rootId().equals(ownRoot)).message()).startsWith("Thread not recognized");

        String strangerDm = world.mm.directChannel(world.mm.stranger(), world.mm.bot()).id();
        world.mm.post(world.mm.stranger(), strangerDm, "!new hello");
        assertThat(world.botPost(p -> p.channelId().equals(strangerDm)).message())
                .isEqualTo("You are not allowed to use this bot.");
        assertThat(world.registry.all()).isEmpty();
    }

    private String toolTurn(String trigger, String command, String done) {
        world.api.on(Match.userTextContains(trigger), Reply.blocks(Block.text("Running it."),
                        Block.toolUse("Bash", Map.of("command", command, "description", "Run it"))))
                .on(Match.toolResultFor("Bash"), Reply.text(done));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new please " + trigger);
        return world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()
                && p.message().equals("please " + trigger)).id();
    }

    /** Without a callback URL a permission is answered by reaction; the bot offers the reactions itself. */
    @Test
    void aPermissionIsAnsweredByReaction() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        String thread = toolTurn("touch", "touch allowed.txt", "The file is there.");
        MmPost prompt = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("🔐"));
        assertThat(prompt.message()).contains("React to answer: :+1: Allow", ":-1: Deny", "touch allowed.txt");
        assertThat(prompt.attachments()).isEmpty();
        MmPost offered = world.awaitState(prompt.id(), p -> p.reactions().containsKey("-1"));
        assertThat(offered.reactions().get("+1")).containsExactly(world.mm.bot().id());

        world.mm.react(world.mm.owner(), prompt.id(), "+1");
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("The file is there.")
                && p.message().contains("⏱"));
        assertThat(Files.exists(world.workspace.resolve("allowed.txt"))).isTrue();
        MmPost outcome = world.awaitState(prompt.id(), p -> p.message().contains("Allowed"));
        assertThat(outcome.message()).doesNotContain("React to answer");
    }

    /** With a callback URL the same permission is a button; the callback carries the bot's secret. */
    @Test
    void aPermissionIsAnsweredByButtonWithACallbackUrl() throws Exception {
        world = MattermostWorld.start(root, true, FakeMattermostSettings.defaults());
        String thread = toolTurn("touch", "touch clicked.txt", "Done by button.");
        MmPost prompt = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("🔐"));
        assertThat(prompt.message()).doesNotContain("React to answer");
        JsonNode actions = prompt.attachments().get(0).path("actions");
        assertThat(actions.get(0).path("name").asText()).isEqualTo("Allow");

        world.mm.click(world.mm.owner(), prompt.id(), actions.get(0).path("id").asText(), "");

        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Done by button.")
                && p.message().contains("⏱"));
        assertThat(Files.exists(world.workspace.resolve("clicked.txt"))).isTrue();
        MmPost outcome = world.awaitState(prompt.id(), p -> p.message().contains("Allowed"));
        assertThat(outcome.attachments()).isEmpty();
    }

    /**
     * In a shared main channel everyone sees the prompt: an allowed user who is not the owner, and a stranger, each
     * get a reply in the thread and change nothing; the owner's reaction answers.
     */
    @Test
    void inASharedChannelOnlyTheOwnersReactionCounts() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        world.api.on(Match.userTextContains("touch"), Reply.blocks(Block.text("Running it."),
                        Block.toolUse("Bash", Map.of("command", "touch shared.txt", "description", "Run it"))))
                .on(Match.toolResultFor("Bash"), Reply.text("Touched."));
        String channel = world.mm.townSquare().id();
        world.mm.post(world.mm.owner(), channel, "!new touch it");
        String thread = world.botPost(p -> p.channelId().equals(channel) && p.rootId().isEmpty()
                && p.message().equals("touch it")).id();
        MmPost prompt = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("🔐"));

        world.mm.react(world.mm.friend(), prompt.id(), "+1");
        assertThat(world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("Only the session"))
                .message()).isEqualTo("Only the session's owner can do this.");
        world.mm.react(world.mm.stranger(), prompt.id(), "+1");
        world.botPost(p -> p.rootId().equals(thread) && p.message().equals("You are not allowed to use this bot."));
        assertThat(Files.exists(world.workspace.resolve("shared.txt"))).isFalse();

        world.mm.react(world.mm.owner(), prompt.id(), "+1");
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Touched.") && p.message().contains("⏱"));
        assertThat(Files.exists(world.workspace.resolve("shared.txt"))).isTrue();
    }

    private void scriptQuestion() {
        Map<String, Object> question = Map.of("question", "Which database should we use?", "header", "Database",
                "multiSelect", false, "options", List.of(
                        Map.of("label", "H2", "description", "embedded"),
                        Map.of("label", "PostgreSQL", "description", "server")));
        world.api.on(Match.userTextContains("pick a database"), Reply.blocks(Block.text("Let me ask."),
                        Block.toolUse("AskUserQuestion", Map.of("questions", List.of(question)))))
                // The oracle is the CLI's own text for the answer, as on Discord.
                .on(Match.toolResultContains("AskUserQuestion", "\"Which database should we use?\"=\"PostgreSQL\""),
                        Reply.text("PostgreSQL it is."))
                .on(Match.toolResultFor("AskUserQuestion"), Reply.text("The answer did not arrive."));
    }

    /** An AskUserQuestion: its options are numbered reactions without a callback URL, a menu with one. */
    @Test
    void aQuestionIsAnsweredByANumberedReaction() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        scriptQuestion();
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new pick a database for me");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()).id();
        MmPost ask = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("❓"));
        assertThat(ask.message()).contains(":one: H2", ":two: PostgreSQL");

        world.mm.react(world.mm.owner(), ask.id(), "two");

        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("PostgreSQL it is.")
                && p.message().contains("⏱"));
        assertThat(world.awaitState(ask.id(), p -> p.message().contains("Answered")).message())
                .contains("Answered: PostgreSQL").doesNotContain("React to answer");
    }

    @Test
    void aQuestionIsAnsweredByAMenuWithACallbackUrl() throws Exception {
        world = MattermostWorld.start(root, true, FakeMattermostSettings.defaults());
        scriptQuestion();
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new pick a database for me");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()).id();
        MmPost ask = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("❓"));
        JsonNode menu = ask.attachments().get(0).path("actions").get(0);
        assertThat(menu.path("type").asText()).isEqualTo("select");

        world.mm.click(world.mm.owner(), ask.id(), menu.path("id").asText(), "PostgreSQL");

        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("PostgreSQL it is.")
                && p.message().contains("⏱"));
        assertThat(world.awaitState(ask.id(), p -> p.message().contains("Answered")).attachments()).isEmpty();
    }

    /**
     * The CLI dies: the thread says so with Resume / Start fresh / Abort as numbered reactions; Abort ends the
     * session, its root post says so, and a later reply is answered that the session ended.
     */
    @Test
    void aDeadSessionAbortedByReactionEndsAndItsRootPostSaysSo() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        world.api.on(Match.userTextContains("short"), Reply.text("Short answer."));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new short");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()
                && p.message().equals("short")).id();
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Short answer.")
                && p.message().contains("⏱"));

        ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.contains("claude")).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
        MmPost dead = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("💥"));
        assertThat(dead.message()).contains(":one: Resume", ":two: Start fresh", ":three: Abort");

        world.mm.react(world.mm.owner(), dead.id(), "three");
        world.botPost(p -> p.rootId().equals(thread) && p.message().equals("Session ended."));
        assertThat(world.awaitState(thread, p -> p.message().contains("Session ended")).message())
                .startsWith("short").contains("start a new one with !new");
        assertThat(world.awaitState(dead.id(), p -> !p.message().contains("React to answer")).message())
                .startsWith("💥");

        world.mm.reply(world.mm.owner(), thread, "are you there?");
        assertThat(world.botPost(p -> p.rootId().equals(thread) && p.message().contains("has ended")).message())
                .contains("Start a new one");
    }

    /**
     * The WebSocket drops and the server forgets the connection: the post made meanwhile is fetched over REST when
     * the bot is back, and answered once.
     */
    @Test
    void aPromptPostedWhileTheSocketWasDownIsAnsweredOnce() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        world.api.on(Match.userTextContains("first"), Reply.text("First answer."))
                .on(Match.userTextContains("while down"), Reply.text("Caught up."));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new first");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()
                && p.message().equals("first")).id();
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("First answer.")
                && p.message().contains("⏱"));

        world.mm.forgetDroppedConnections();
        assertThat(world.mm.dropWebSockets(world.mm.bot())).isPositive();
        world.mm.forgetDroppedConnections();
        world.mm.reply(world.mm.owner(), thread, "posted while down");

        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Caught up.")
                && p.message().contains("⏱"));
        MattermostWorld.sleep(1500);
        assertThat(world.api.requests().stream().filter(r -> r.userText().contains("while down")).count())
                .isEqualTo(1);
    }

    /**
     * The WebSocket drops while a reply streams (the server still holds the connection, so the bot resumes it with
     * its sequence number): the reply goes on over REST to its end, and a prompt posted meanwhile is queued behind
     * it and answered once.
     */
    @Test
    void aSocketDroppedMidTurnLosesNeitherTheReplyNorThePromptPostedMeanwhile() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        String story = "word ".repeat(120) + "THE END";
        world.api.on(Match.userTextContains("slow story"), Reply.text(story).tokensPerSecond(40))
                .on(Match.userTextContains("meanwhile"), Reply.text("Answered after the story."));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new tell a slow story");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()
                && p.message().contains("slow story")).id();
        world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("word"));

        assertThat(world.mm.dropWebSockets(world.mm.bot())).isPositive();
        world.mm.reply(world.mm.owner(), thread, "posted meanwhile");

        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("THE END")
                && p.message().contains("⏱"));
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Answered after the story.")
                && p.message().contains("⏱"));
        world.awaitConnected();
        MattermostWorld.sleep(1500);
        assertThat(world.api.requests().stream().filter(r -> r.userText().contains("meanwhile")).count())
                .isEqualTo(1);
        assertThat(world.botPostsIn(thread).stream().filter(p -> p.message().contains("Answered after")).count())
                .isEqualTo(1);
    }

    /**
     * After a restart the bot names the owners of the restored sessions and the allowed users before any of them
     * posts again (a permission prompt says "Only … can answer" to someone else, who may be first to act); the
     * session goes on in its resumed conversation. The owner is allowed through the team here, so only the
     * restored session can have taught the bot the owner's name.
     */
    @Test
    void aRestartedBotNamesTheOwnersOfItsRestoredSessionsBeforeTheyPostAgain() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults(), Map.of(
                "MATTERMOST_ALLOWED_USERS", "", "MATTERMOST_ALLOWED_TEAMS", "test"));
        world.api.on(Match.userTextContains("remember 42"), Reply.text("Noted."))
                .on(Match.userTextContains("what number"), Reply.text("It was 42."));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new remember 42");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()).id();
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Noted.") && p.message().contains("⏱"));

        world = world.restarted();

        assertThat(world.bot.chat().markup().mention(world.mm.owner().id())).isEqualTo("Olivia Owner");
        world.mm.reply(world.mm.owner(), thread, "what number was it");
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("It was 42.")
                && p.message().contains("⏱"));
        assertThat(world.api.requests().stream().filter(r -> r.userText().contains("what number")).findFirst()
                .orElseThrow().body().path("messages").toString()).contains("remember 42");
    }
}
