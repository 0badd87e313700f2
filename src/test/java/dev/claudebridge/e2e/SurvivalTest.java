package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Attachment;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** Idle stop, archive stop, the CLI limits, /export: sessions outlive their CLI processes. */
@Timeout(180)
final class SurvivalTest {

    @TempDir
    Path root;

    private BotWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    private static long liveClis() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.contains("claude")).orElse(false))
                .count();
    }

    private static void awaitLiveClis(long n) {
        Flux.interval(Duration.ofMillis(100)).filter(t -> liveClis() == n).blockFirst(BotWorld.WAIT);
        assertThat(liveClis()).isEqualTo(n);
    }

    private String firstTurn(FakeUser user, String text) {
        world.discord.userMessage(user, world.main(), text);
        String thread = world.awaitThread();
        world.awaitContent(thread, c -> c.contains("⏱"));
        return thread;
    }

    private void scriptCodeword() {
        world.api.on(Match.userTextContains("What was"), Reply.text("It was PLUM-3."))
                .on(Match.userTextContains("codeword"), Reply.text("Noted the codeword."));
    }

    @Test
    void anIdleSessionStopsItsCliAndTheNextMessageResumesIt() throws Exception {
        world = BotWorld.start(root, s -> s, Map.of("IDLE_TIMEOUT", "2s"));
        scriptCodeword();
        String thread = firstTurn(FakeUser.OWNER, "remember the codeword PLUM-3");

        PostedMessage idle = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("💤"));
        assertThat(idle.content()).contains("Idle for 2s");
        awaitLiveClis(0);
        assertThat(world.app.sessions().get(thread).orElseThrow().state().name()).isEqualTo("STOPPED");

        world.discord.userMessage(FakeUser.OWNER, thread, "What was the codeword?");
        assertThat(world.awaitContent(thread, c -> c.startsWith("It was PLUM-3.") && c.contains("⏱"))).isNotNull();
        assertThat(world.api.requests().getLast().body().path("messages").toString()).contains("PLUM-3", "Noted");
        // The resumed session says so with its status: an embed.
        PostedMessage resumed = world.botMessage(m -> m.channelId().equals(thread) && !m.embeds().isEmpty()
                && m.embeds().get(0).path("title").asText().equals("🔄 Session resumed"));
        assertThat(resumed.embeds().get(0).path("description").asText()).isEqualTo("remember the codeword PLUM-3");
        assertThat(resumed.embeds().get(0).path("fields").toString()).contains("\"Prompts so far\"", "\"1\"",
                "\"Cost\"", "\"Started\"", "<t:");
    }

    @Test
    void archivingTheThreadStopsTheCliAndAMessageBringsItBack() throws Exception {
        world = BotWorld.start(root);
        scriptCodeword();
        String thread = firstTurn(FakeUser.OWNER, "remember the codeword PLUM-3");
        awaitLiveClis(1);

        world.discord.archiveThread(thread);
        awaitLiveClis(0);

        world.discord.userMessage(FakeUser.OWNER, thread, "What was the codeword?");
        assertThat(world.awaitContent(thread, c -> c.startsWith("It was PLUM-3.") && c.contains("⏱"))).isNotNull();
    }

    /** Archives the thread (its CLI stops) and deletes the conversation's transcript, so it cannot be resumed. */
    private void loseTheTranscript(String thread) throws Exception {
        world.discord.archiveThread(thread);
        awaitLiveClis(0);
        // The CLI keeps each conversation as projects/<cwd slug>/<id>.jsonl under CLAUDE_CONFIG_DIR ($DATA_DIR/claude).
        List<Path> transcripts;
        try (Stream<Path> files = Files.walk(root.resolve("data").resolve("claude").resolve("projects"))) {
            transcripts = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
        }
        assertThat(transcripts).isNotEmpty();
        for (Path f : transcripts) {
            Files.delete(f);
        }
    }

    /** The resume question: the thread says why and asks; the prompt waits; Start fresh runs it fresh. */
    @Test
    void aConversationTheCliNoLongerHasIsAskedAboutAndStartFreshRunsThePrompt() throws Exception {
        world = BotWorld.start(root);
        scriptCodeword();
        world.api.on(Match.userTextContains("again"), Reply.text("Hello again."));
        String thread = firstTurn(FakeUser.OWNER, "remember the codeword PLUM-3");
        int requests = world.api.requests().size();
        loseTheTranscript(thread);

        world.discord.userMessage(FakeUser.OWNER, thread, "hello again");

        PostedMessage question = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⚠️"));
        assertThat(question.content()).contains("could not be resumed (its transcript was not found)",
                "Your prompt waits until you choose");
        assertThat(question.customIds()).hasSize(2);
        assertThat(world.api.requests()).as("nothing runs before the owner chooses").hasSize(requests);
        assertThat(world.app.sessions().get(thread).orElseThrow().waitingCount()).isEqualTo(1);
        // Another prompt meanwhile waits too, marked as queued.
        String more = world.discord.userMessage(FakeUser.OWNER, thread, "and the codeword?");
        Flux.interval(Duration.ofMillis(50)).filter(t -> world.discord.message(more).reactions().containsKey("⏳"))
                .blockFirst(BotWorld.WAIT);
        assertThat(world.app.sessions().get(thread).orElseThrow().waitingCount()).isEqualTo(2);

        world.discord.clickButton(FakeUser.OWNER, question.id(), question.customIds().get(0));

        world.botMessage(m -> m.channelId().equals(thread) && m.content().equals("Started a fresh conversation."));
        assertThat(world.awaitContent(thread, c -> c.startsWith("Hello again.") && c.contains("⏱"))).isNotNull();
        assertThat(world.awaitContent(thread, c -> c.startsWith("Noted the codeword.") && c.contains("⏱")))
                .as("the second waiting prompt runs after the first").isNotNull();
        assertThat(world.api.requests().getLast().body().path("messages").toString()).doesNotContain("PLUM-3");
    }

    /**
     * The CLI's own refusal: the transcript file is there (so the runtime's check passes) but empty, and the CLI
     * started with {@code --resume} answers "No conversation found"; the thread asks the same question.
     */
    @Test
    void aConversationTheCliRefusesToResumeIsAskedAboutToo() throws Exception {
        world = BotWorld.start(root);
        scriptCodeword();
        world.api.on(Match.userTextContains("again"), Reply.text("Hello again."));
        String thread = firstTurn(FakeUser.OWNER, "remember the codeword PLUM-3");
        world.discord.archiveThread(thread);
        awaitLiveClis(0);
        List<Path> transcripts;
        try (Stream<Path> files = Files.walk(root.resolve("data").resolve("claude").resolve("projects"))) {
            transcripts = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
        }
        for (Path f : transcripts) {
            Files.write(f, new byte[0]);
        }

        world.discord.userMessage(FakeUser.OWNER, thread, "hello again");

        PostedMessage question = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⚠️"));
        assertThat(question.content()).contains("could not be resumed (the CLI found no such conversation)");
        world.discord.clickButton(FakeUser.OWNER, question.id(), question.customIds().get(0));
        assertThat(world.awaitContent(thread, c -> c.startsWith("Hello again.") && c.contains("⏱"))).isNotNull();
        assertThat(world.api.requests().getLast().body().path("messages").toString()).doesNotContain("PLUM-3");
    }

    /** The resume question answered Abort: the session ends, the waiting prompt is dropped and the thread says so. */
    @Test
    void aConversationTheCliNoLongerHasIsAskedAboutAndAbortEndsTheSession() throws Exception {
        world = BotWorld.start(root);
        scriptCodeword();
        String thread = firstTurn(FakeUser.OWNER, "remember the codeword PLUM-3");
        int requests = world.api.requests().size();
        loseTheTranscript(thread);

        world.discord.userMessage(FakeUser.OWNER, thread, "hello again");
        PostedMessage question = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⚠️"));
        world.discord.clickButton(FakeUser.OWNER, question.id(), question.customIds().get(1));

        PostedMessage aborted = world.botMessage(m -> m.channelId().equals(thread)
                && m.content().startsWith("Aborted"));
        assertThat(aborted.content()).contains("1 waiting prompt(s) dropped", "hello again");
        Flux.interval(Duration.ofMillis(50)).filter(t -> world.app.sessions().get(thread).orElseThrow().state()
                .name().equals("ENDED")).blockFirst(BotWorld.WAIT);
        assertThat(world.api.requests()).hasSize(requests);
        assertThat(liveClis()).isZero();
    }

    @Test
    void atTheCliLimitTheIdleSessionMakesRoomAndABusyOneRefuses() throws Exception {
        world = BotWorld.start(root, s -> s, Map.of("MAX_LIVE_CLIS", "1"));
        world.api.on(Match.userTextContains("slow one"), Reply.text("word ".repeat(200)).tokensPerSecond(20))
                .on(Match.any(), Reply.text("Fine."));
        String first = firstTurn(FakeUser.OWNER, "first session");

        world.discord.userMessage(FakeUser.FRIEND, world.main(), "the slow one please");
        PostedMessage evicted = world.botMessage(m -> m.channelId().equals(first) && m.content().contains("make room"));
        assertThat(evicted.content()).contains("MAX_LIVE_CLIS");
        String second = world.discord.threads().stream().filter(t -> !t.id().equals(first)).findFirst().orElseThrow()
                .id();
        world.awaitContent(second, c -> c.startsWith("word"));

        world.discord.userMessage(FakeUser.OWNER, first, "anything?");
        PostedMessage refused = world.botMessage(m -> m.channelId().equals(first) && m.content().contains("busy"));
        assertThat(refused.content()).contains("MAX_LIVE_CLIS");
        assertThat(liveClis()).isEqualTo(1);
    }

    @Test
    void theSessionLimitPerUserRefusesTheNextSession() throws Exception {
        world = BotWorld.start(root, s -> s, Map.of("MAX_SESSIONS_PER_USER", "1"));
        world.api.on(Match.any(), Reply.text("Fine."));
        firstTurn(FakeUser.OWNER, "one session");

        world.discord.userMessage(FakeUser.OWNER, world.main(), "a second session");
        PostedMessage refused = world.botMessage(m -> m.channelId().equals(world.main())
                && m.content().contains("MAX_SESSIONS_PER_USER"));
        assertThat(refused.content()).contains("1 active sessions");
        assertThat(world.discord.threads()).hasSize(1);
    }

    @Test
    void exportAttachesTheConversationAsMarkdown() throws Exception {
        world = BotWorld.start(root);
        scriptCodeword();
        String thread = firstTurn(FakeUser.OWNER, "remember the codeword PLUM-3");
        world.discord.userMessage(FakeUser.OWNER, thread, "What was the codeword?");
        world.awaitContent(thread, c -> c.startsWith("It was PLUM-3.") && c.contains("⏱"));

        InteractionRef ref = world.discord.slashCommand(FakeUser.OWNER, thread, "export", Map.of());
        PostedMessage file = world.botMessage(m -> m.channelId().equals(thread) && !m.attachments().isEmpty());
        Attachment attachment = file.attachments().get(0);
        String md = new String(attachment.data(), StandardCharsets.UTF_8);
        assertThat(attachment.filename()).endsWith(".md");
        assertThat(md).contains("remember the codeword PLUM-3", "Noted the codeword.", "What was the codeword?",
                "It was PLUM-3.", "## Turn 2");
        assertThat(ref).isNotNull();
    }
}
