package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.core.session.ThreadSession;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * /model and /mode on Discord, the real CLI against the fake model: the model of the requests the fake API receives,
 * the permission mode as the CLI acts on it, a plan (ExitPlanMode) approved or kept, values a bot does not allow.
 */
@Timeout(180)
final class ModelAndModeTest {

    private static final String PLAN = "1. Write hello.txt\n2. Say done";

    @TempDir
    Path root;

    private BotWorld world;

    @BeforeEach
    void start() throws Exception {
        world = BotWorld.start(root);
    }

    @AfterEach
    void stop() {
        world.close();
    }

    /** The first messages request that carries this prompt, waited for. */
    private RecordedRequest requestFor(String prompt) {
        return world.api.requestStream().filter(r -> r.stream() && r.userText().contains(prompt))
                .blockFirst(BotWorld.WAIT);
    }

    /** The text of an interaction's answer: its direct reply, or its deferred reply once edited. */
    private PostedMessage answer(InteractionRef ref, String contains) {
        return world.discord.changes()
                .filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                .map(c -> c instanceof Change.MessageCreated mc ? mc.message() : ((Change.MessageEdited) c).message())
                .filter(m -> m.interactionId().map(ref.id()::equals).orElse(false) && m.content().contains(contains))
                .blockFirst(BotWorld.WAIT);
    }

    private PostedMessage finalReply(String thread, String text) {
        return world.awaitContent(thread, c -> c.contains(text) && c.contains("⏱"));
    }

    /** The names the bot suggested for an autocomplete interaction. */
    private List<String> suggestions(InteractionRef ref) {
        Change.InteractionAnswered answered = world.discord.next(Change.InteractionAnswered.class,
                a -> a.interactionId().equals(ref.id()), BotWorld.WAIT).block();
        assertThat(answered.callbackType()).isEqualTo(8);
        JsonNode choices = answered.data().path("choices");
        choices.forEach(c -> assertThat(c.path("value").asText()).isEqualTo(c.path("name").asText()));
        return StreamSupport.stream(choices.spliterator(), false).map(c -> c.path("name").asText()).toList();
    }

    private String sessionThread(String prompt, String answer) {
        world.api.on(Match.userTextContains(prompt), Reply.text(answer));
        world.discord.userMessage(FakeUser.OWNER, world.main(), prompt);
        String thread = world.awaitThread();
        finalReply(thread, answer);
        return thread;
    }

    private ThreadSession session(String thread) {
        return world.app.sessions().get(thread).orElseThrow();
    }

    @Test
    void theNewModelOptionAndModelSwitchTheModelOfTheNextRequest() {
        world.api.on(Match.userTextContains("first"), Reply.text("First answer."))
                .on(Match.userTextContains("second"), Reply.text("Second answer."))
                .on(Match.userTextContains("third"), Reply.text("Third answer."));
        InteractionRef created = world.discord.slashCommand(FakeUser.OWNER, world.main(), "new",
                Map.of("prompt", "first", "model", "haiku"));
        String thread = world.awaitThread();
        answer(created, "Session started");
        finalReply(thread, "First answer.");
        assertThat(requestFor("first").model()).contains("haiku");

        // Discord asks as the owner types: the bot's choices that match.
        assertThat(suggestions(world.discord.autocomplete(FakeUser.OWNER, thread, "model", Map.of("name", "so"),
                "name"))).containsExactly("sonnet");
        assertThat(suggestions(world.discord.autocomplete(FakeUser.OWNER, thread, "model", Map.of(), "name")))
                .containsExactly("sonnet", "opus", "haiku");

        InteractionRef model = world.discord.slashCommand(FakeUser.OWNER, thread, "model", Map.of("name", "sonnet"));
        PostedMessage said = answer(model, "Model set to");
        assertThat(said.ephemeral()).as("said in the thread for everyone").isFalse();
        assertThat(said.channelId()).isEqualTo(thread);
        assertThat(said.content()).contains("`sonnet`", "from the next turn");

        world.discord.userMessage(FakeUser.OWNER, thread, "second");
        finalReply(thread, "Second answer.");
        assertThat(requestFor("second").model()).contains("sonnet").doesNotContain("haiku");

        // The session keeps its model: a CLI started again (here after /stop) starts with it.
        InteractionRef stop = world.discord.slashCommand(FakeUser.OWNER, thread, "stop", Map.of());
        answer(stop, "Stopped");
        world.discord.userMessage(FakeUser.OWNER, thread, "third");
        finalReply(thread, "Third answer.");
        assertThat(requestFor("third").model()).contains("sonnet");
        assertThat(session(thread).modes().model()).contains("sonnet");
    }

    @Test
    void aModelNotOfferedAndSomeoneElsesSessionAreRefused() {
        String thread = sessionThread("hello", "Hi.");

        InteractionRef unknown = world.discord.slashCommand(FakeUser.OWNER, thread, "model",
                Map.of("name", "gpt-4"));
        PostedMessage refusal = answer(unknown, "not one of this bot's models");
        assertThat(refusal.ephemeral()).isTrue();
        assertThat(refusal.content()).contains("`gpt-4`", "`sonnet`, `opus`, `haiku`", "MODEL_CHOICES");

        InteractionRef friend = world.discord.slashCommand(FakeUser.FRIEND, thread, "model", Map.of("name", "opus"));
        assertThat(answer(friend, "owner").ephemeral()).isTrue();
        InteractionRef outside = world.discord.slashCommand(FakeUser.OWNER, world.main(), "mode",
                Map.of("mode", "plan"));
        assertThat(answer(outside, "in a session's thread").ephemeral()).isTrue();
        assertThat(session(thread).modes().model()).isEmpty();
        assertThat(session(thread).modes().permissionMode()).isEmpty();
    }

    @Test
    void aModeTheBotDoesNotAllowIsRefusedClearly() {
        String thread = sessionThread("hello", "Hi.");
        assertThat(suggestions(world.discord.autocomplete(FakeUser.OWNER, thread, "mode", Map.of(), "mode")))
                .containsExactly("default", "acceptEdits", "plan");

        InteractionRef bypass = world.discord.slashCommand(FakeUser.OWNER, thread, "mode",
                Map.of("mode", "bypassPermissions"));
        PostedMessage refusal = answer(bypass, "turned off on this bot");
        assertThat(refusal.ephemeral()).isTrue();
        assertThat(refusal.content()).contains("ALLOW_BYPASS_PERMISSIONS");

        InteractionRef yolo = world.discord.slashCommand(FakeUser.OWNER, thread, "mode", Map.of("mode", "yolo"));
        assertThat(answer(yolo, "is not a permission mode here").content())
                .contains("`yolo`", "`default`, `acceptEdits`, `plan`");
        assertThat(session(thread).modes().permissionMode()).isEmpty();
    }

    /**
     * From acceptEdits into plan mode; the model's plan (ExitPlanMode) is shown on its own with Approve / Keep
     * planning, for the owner only. Approved, the CLI is back in acceptEdits: the file the model then writes is
     * written without asking.
     */
    @Test
    void anApprovedPlanReturnsToTheModeTheSessionHadBeforePlanning() throws Exception {
        String thread = sessionThread("hello", "Hi.");
        Path hello = world.workspace.toRealPath().resolve("hello.txt");
        world.api.on(Match.userTextContains("plan the change"), Reply.blocks(Block.text("Here is my plan."),
                        Block.toolUse("ExitPlanMode", Map.of("plan", PLAN))))
                .on(Match.toolResultFor("ExitPlanMode"), Reply.blocks(Block.text("Writing it."),
                        Block.toolUse("Write", Map.of("file_path", hello.toString(), "content", "hello\n"))))
                .on(Match.toolResultFor("Write"), Reply.text("Done as planned."));

        answer(world.discord.slashCommand(FakeUser.OWNER, thread, "mode", Map.of("mode", "acceptedits")),
                "Permission mode set to `acceptEdits`");
        PostedMessage planning = answer(world.discord.slashCommand(FakeUser.OWNER, thread, "mode",
                Map.of("mode", "plan")), "Permission mode set to `plan`");
        assertThat(planning.content()).contains("asks for approval of its plan");
        assertThat(session(thread).modes()).isEqualTo(new ThreadSession.Modes(Optional.empty(), Optional.of("plan"),
                Optional.of("acceptEdits")));

        world.discord.userMessage(FakeUser.OWNER, thread, "plan the change");
        PostedMessage plan = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("📋"));
        assertThat(plan.content()).contains(PLAN, "<@" + FakeUser.OWNER.id() + ">");
        assertThat(plan.components().path(0).path("components").findValuesAsText("label"))
                .containsExactly("Approve", "Keep planning");

        InteractionRef friend = world.discord.clickButton(FakeUser.FRIEND, plan.id(), plan.customIds().get(0));
        Change.InteractionAnswered refused = world.discord.next(Change.InteractionAnswered.class,
                a -> a.interactionId().equals(friend.id()), BotWorld.WAIT).block();
        assertThat(refused.data().path("content").asText()).contains("owner");

        world.discord.clickButton(FakeUser.OWNER, plan.id(), plan.customIds().get(0));

        assertThat(world.awaitState(plan.id(), m -> m.content().contains("Plan approved")).content())
                .contains("back to `acceptEdits`", PLAN);
        finalReply(thread, "Done as planned.");
        assertThat(hello).hasContent("hello");
        assertThat(world.botMessages(thread)).noneMatch(m -> m.content().startsWith("🔐"));
        assertThat(session(thread).modes()).isEqualTo(new ThreadSession.Modes(Optional.empty(),
                Optional.of("acceptEdits"), Optional.empty()));
    }

    /** Keep planning: the model reads that it should go on planning, and the session stays in plan mode. */
    @Test
    void keepPlanningTellsTheModelAndStaysInPlanMode() {
        String thread = sessionThread("hello", "Hi.");
        world.api.on(Match.userTextContains("plan the change"), Reply.blocks(Block.text("Here is my plan."),
                        Block.toolUse("ExitPlanMode", Map.of("plan", PLAN))))
                .on(Match.toolResultContains("ExitPlanMode", "keep planning"), Reply.text("I will plan more."));
        answer(world.discord.slashCommand(FakeUser.OWNER, thread, "mode", Map.of("mode", "plan")),
                "Permission mode set to `plan`");

        world.discord.userMessage(FakeUser.OWNER, thread, "plan the change");
        PostedMessage plan = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("📋"));
        world.discord.clickButton(FakeUser.OWNER, plan.id(), plan.customIds().get(1));

        assertThat(world.awaitState(plan.id(), m -> m.content().contains("Kept planning")).components().size())
                .isZero();
        finalReply(thread, "I will plan more.");
        assertThat(session(thread).modes().permissionMode()).contains("plan");
        // The model got the sentence as the tool's (error) result, and no file was touched.
        assertThat(world.api.requests()).anySatisfy(r -> assertThat(r.body().toString())
                .contains("The user wants you to keep planning"));
    }
}
