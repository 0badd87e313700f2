package dev.claudebridge.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.session.ThreadSession;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.mattermost.FakeMattermostSettings;
import dev.claudebridge.testkit.mattermost.MmPost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code !model} and {@code !mode} on Mattermost through the same core commands as Discord's, the real CLI against the
 * fake model: the model of the requests the fake API receives, a plan approved and kept by reaction, a mode the bot
 * does not allow.
 */
@Timeout(150)
final class MattermostModelAndModeTest {

    private static final String PLAN = "1. Write hello.txt\n2. Say done";

    /** Not JUnit's {@code @TempDir}, for the reason {@link MattermostFlowTest} gives. */
    private Path root;

    private MattermostWorld world;

    @BeforeEach
    void start() throws java.io.IOException {
        root = Files.createTempDirectory("mattermost-model");
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
    }

    @AfterEach
    void stop() throws java.io.IOException {
        try {
            world.close();
        } finally {
            try (var paths = Files.walk(root)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private RecordedRequest requestFor(String prompt) {
        return world.api.requestStream().filter(r -> r.stream() && r.userText().contains(prompt))
                .blockFirst(MattermostWorld.WAIT);
    }

    /** A session started with {@code !new} in the owner's DM, its first answer waited for; its thread's id. */
    private String session(String command, String answer) {
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, command);
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()).id();
        finalReply(thread, answer);
        return thread;
    }

    private MmPost finalReply(String thread, String text) {
        return world.botPost(p -> p.rootId().equals(thread) && p.message().contains(text)
                && p.message().contains("⏱"));
    }

    private MmPost said(String thread, String command, String contains) {
        world.mm.reply(world.mm.owner(), thread, command);
        return world.botPost(p -> p.rootId().equals(thread) && p.message().contains(contains));
    }

    private ThreadSession.Modes modes(String thread) {
        return world.registry.get("mattermost", thread).orElseThrow().modes();
    }

    @Test
    void newsModelOptionAndBangModelSwitchTheModelOfTheNextRequest() {
        world.api.on(Match.userTextContains("first"), Reply.text("First answer."))
                .on(Match.userTextContains("second"), Reply.text("Second answer."));
        String thread = session("!new --model haiku first", "First answer.");
        assertThat(requestFor("first").model()).contains("haiku");

        assertThat(said(thread, "!model sonnet", "Model set to").message())
                .contains("`sonnet`", "from the next turn");
        world.mm.reply(world.mm.owner(), thread, "second");
        finalReply(thread, "Second answer.");
        assertThat(requestFor("second").model()).contains("sonnet").doesNotContain("haiku");

        assertThat(said(thread, "!model gpt-4", "not one of this bot's models").message())
                .contains("`sonnet`, `opus`, `haiku`");
        assertThat(said(thread, "!model", "This session's model").message()).contains("`sonnet`");
        assertThat(modes(thread).model()).contains("sonnet");
    }

    @Test
    void aModeTheBotDoesNotAllowIsRefusedClearly() {
        world.api.on(Match.userTextContains("hello"), Reply.text("Hi."));
        String thread = session("!new hello", "Hi.");

        assertThat(said(thread, "!mode bypassPermissions", "turned off on this bot").message())
                .contains("ALLOW_BYPASS_PERMISSIONS");
        assertThat(said(thread, "!mode yolo", "is not a permission mode here").message())
                .contains("`default`, `acceptEdits`, `plan`");
        assertThat(modes(thread).permissionMode()).isEmpty();
    }

    /**
     * A plan is a post of its own answered by reaction (👍 Approve, 👎 Keep planning): kept, the model plans on;
     * approved, the session is back in acceptEdits, so the file the model then writes is written without asking.
     */
    @Test
    void aPlanIsKeptAndThenApprovedByReaction() throws Exception {
        Path hello = world.workspace.toRealPath().resolve("hello.txt");
        world.api.on(Match.userTextContains("hello"), Reply.text("Hi."))
                .on(Match.userTextContains("plan the change"), Reply.blocks(Block.text("Here is my plan."),
                        Block.toolUse("ExitPlanMode", Map.of("plan", PLAN))).times(1))
                .on(Match.toolResultContains("ExitPlanMode", "keep planning"), Reply.text("I will plan more."))
                .on(Match.userTextContains("plan it again"), Reply.blocks(Block.text("A better plan."),
                        Block.toolUse("ExitPlanMode", Map.of("plan", PLAN + "\n3. Check it"))))
                .on(Match.toolResultFor("ExitPlanMode"), Reply.blocks(Block.text("Writing it."),
                        Block.toolUse("Write", Map.of("file_path", hello.toString(), "content", "hello\n"))))
                .on(Match.toolResultFor("Write"), Reply.text("Done as planned."));
        String thread = session("!new hello", "Hi.");
        said(thread, "!mode acceptEdits", "Permission mode set to `acceptEdits`");
        said(thread, "!mode plan", "Permission mode set to `plan`");

        world.mm.reply(world.mm.owner(), thread, "plan the change");
        MmPost plan = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("📋"));
        assertThat(plan.message()).contains(PLAN, "React to answer: :+1: Approve", ":-1: Keep planning");
        world.awaitState(plan.id(), p -> p.reactions().containsKey("-1"));
        world.mm.react(world.mm.owner(), plan.id(), "-1");
        assertThat(world.awaitState(plan.id(), p -> p.message().contains("Kept planning")).message())
                .doesNotContain("React to answer");
        finalReply(thread, "I will plan more.");
        assertThat(modes(thread).permissionMode()).contains("plan");

        world.mm.reply(world.mm.owner(), thread, "plan it again");
        MmPost better = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("📋")
                && p.message().contains("3. Check it"));
        world.awaitState(better.id(), p -> p.reactions().containsKey("+1"));
        world.mm.react(world.mm.owner(), better.id(), "+1");
        assertThat(world.awaitState(better.id(), p -> p.message().contains("Plan approved")).message())
                .contains("back to `acceptEdits`");
        finalReply(thread, "Done as planned.");
        assertThat(hello).hasContent("hello");
        assertThat(modes(thread)).isEqualTo(new ThreadSession.Modes(Optional.empty(), Optional.of("acceptEdits"),
                Optional.empty()));
    }
}
