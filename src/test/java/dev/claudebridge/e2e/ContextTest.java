package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.anthropic.StandaloneCli;
import dev.claudebridge.testkit.discord.Attachment;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The context window on Discord, the real CLI against the fake model: the footer's figure is the CLI's own
 * {@code get_context_usage} percentage (compared with what a second CLI reports for the same answers), {@code /compact}
 * makes the CLI ask the model for a summary and the thread says what it freed in the CLI's own figures (its
 * transcript's {@code compact_boundary}), {@code /clear} leaves the model no earlier turn while {@code /export} keeps
 * them all.
 */
@Timeout(240)
final class ContextTest {

    /** What the fake model says it read: 423,000 input tokens of a 1,000,000 window, so the CLI says 42%. */
    static final int FULL_INPUT = 423_000;
    /** The turn that runs when /compact is given: the last call before the compaction. */
    static final int SLOW_INPUT = 433_000;
    /** The start of the instruction the CLI 2.1.332 sends when it asks the model to summarise the conversation. */
    static final String SUMMARY_REQUEST = "Respond with TEXT ONLY";
    static final Pattern FIGURE = Pattern.compile("context (\\d+)% full");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private BotWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void theFooterShowsTheClisOwnFigureAndCompactSaysWhatItFreed() throws Exception {
        world = BotWorld.start(root);
        world.api.on(Match.userTextContains("fill the context"), Reply.text("Filled.").usage(FULL_INPUT, 40))
                .on(Match.userTextContains(SUMMARY_REQUEST),
                        Reply.text("<summary>The user filled the context with BANANA-42.</summary>").usage(6000, 30))
                .on(Match.userTextContains("slowly"), Reply.text("word ".repeat(60)).tokensPerSecond(20)
                        .usage(SLOW_INPUT, 40))
                .on(Match.any(), Reply.text("Answered after the summary."));

        world.discord.userMessage(FakeUser.OWNER, world.main(), "fill the context");
        String thread = world.awaitThread();
        PostedMessage first = world.awaitContent(thread, c -> c.contains("Filled.") && c.contains("⏱"));
        int shown = figure(first.content());

        // The same answers to a CLI of the test's own: its get_context_usage is what the footer must show.
        JsonNode cli = StandaloneCli.contextUsageAfter(root.resolve("standalone"), world.api.baseUrl(),
                "fill the context");
        assertThat(cli.path("percentage").asInt()).isGreaterThan(10);
        assertThat(shown).isEqualTo(cli.path("percentage").asInt());

        // /compact while a turn runs waits behind it, as a prompt would.
        world.discord.userMessage(FakeUser.OWNER, thread, "answer slowly");
        world.awaitContent(thread, c -> c.contains("word word"));
        InteractionRef compact = world.discord.slashCommand(FakeUser.OWNER, thread, "compact", Map.of());
        assertThat(replyText(compact)).contains("/compact waits behind the running turn");
        world.awaitContent(thread, c -> c.contains("word") && c.contains("⏱"));

        PostedMessage compacted = world.awaitContent(thread, c -> c.contains("🗜️") && c.contains("⏱"));
        RecordedRequest summary = world.api.requestStream().filter(r -> r.userText().contains(SUMMARY_REQUEST))
                .blockFirst(BotWorld.WAIT);
        assertThat(summary).as("the CLI asked the model for the summary").isNotNull();
        // The CLI's own figures, from its transcript on disk: the bot says exactly these.
        JsonNode boundary = compactBoundary();
        long before = boundary.path("preTokens").asLong();
        long after = boundary.path("postTokens").asLong();
        assertThat(before).as("the tokens the fake model reported for the last call").isEqualTo(SLOW_INPUT + 40);
        assertThat(compacted.content()).contains("Compacted: the context went from " + Texts.tokens(before) + " to "
                + Texts.tokens(after) + " (" + Texts.tokens(before - after) + " freed)");
        assertThat(figure(compacted.content())).isLessThan(shown);

        // The next prompt reaches the model with the summary in place of the earlier turns.
        world.discord.userMessage(FakeUser.OWNER, thread, "what now");
        world.awaitContent(thread, c -> c.contains("Answered after the summary.") && c.contains("⏱"));
        RecordedRequest next = world.api.requestStream().filter(r -> r.userText().contains("what now"))
                .blockFirst(BotWorld.WAIT);
        String sent = next.body().path("messages").toString();
        assertThat(sent).contains("The user filled the context with BANANA-42.").doesNotContain("answer slowly");
    }

    @Test
    void clearStartsAFreshConversationInTheThreadAndExportKeepsTheOldOne() throws Exception {
        world = BotWorld.start(root);
        world.api.on(Match.userTextContains("remember the codeword"), Reply.text("Noted the codeword."))
                .on(Match.any(), Reply.text("I know of no codeword."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "remember the codeword PLUM-3");
        String thread = world.awaitThread();
        world.awaitContent(thread, c -> c.contains("Noted the codeword.") && c.contains("⏱"));
        RecordedRequest before = world.api.requestStream().filter(r -> r.userText().contains("PLUM-3"))
                .blockFirst(BotWorld.WAIT);

        InteractionRef stranger = world.discord.slashCommand(FakeUser.FRIEND, thread, "clear", Map.of());
        assertThat(replyText(stranger)).isEqualTo(Texts.NOT_OWNER);
        InteractionRef clear = world.discord.slashCommand(FakeUser.OWNER, thread, "clear", Map.of());
        // The footer is on screen a moment before the session has marked the turn over: either answer is right.
        assertThat(replyText(clear)).isIn(Texts.CLEAR_STARTED,
                "⏳ /clear waits behind the running turn, in order, as a prompt would.");
        world.awaitContent(thread, c -> c.contains("🧹 Cleared") && c.contains("⏱"));

        world.discord.userMessage(FakeUser.OWNER, thread, "what was the codeword?");
        PostedMessage answer = world.awaitContent(thread, c -> c.contains("I know of no codeword.") && c.contains("⏱"));
        RecordedRequest after = world.api.requestStream().filter(r -> r.userText().contains("what was the codeword"))
                .blockFirst(BotWorld.WAIT);
        assertThat(after.body().path("messages").toString()).doesNotContain("PLUM-3").doesNotContain("Noted the");
        assertThat(after.headers().get("x-claude-code-session-id")).as("a new conversation")
                .isNotEqualTo(before.headers().get("x-claude-code-session-id"));
        // The fresh conversation's cost counts from 0 again in the CLI: the turn still costs what it cost.
        assertThat(answer.content()).contains(Texts.usd(Reply.DEFAULT_TURN_COST_USD));

        world.discord.slashCommand(FakeUser.OWNER, thread, "export", Map.of());
        PostedMessage file = world.botMessage(m -> m.channelId().equals(thread) && !m.attachments().isEmpty());
        Attachment attachment = file.attachments().get(0);
        String md = new String(attachment.data(), StandardCharsets.UTF_8);
        assertThat(md).contains("remember the codeword PLUM-3", "Noted the codeword.", "/clear",
                "what was the codeword?", "I know of no codeword.");
    }

    /** The figure in a footer. */
    static int figure(String content) {
        Matcher m = FIGURE.matcher(content);
        assertThat(m.find()).as("a context figure in %s", content).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** The {@code compact_boundary} entry of the CLI's conversation transcript under the bot's CLAUDE_CONFIG_DIR. */
    private JsonNode compactBoundary() throws IOException {
        try (Stream<Path> files = Files.walk(root.resolve("data").resolve("claude").resolve("projects"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    JsonNode entry = JSON.readTree(line);
                    if (entry.path("subtype").asText().equals("compact_boundary")) {
                        return entry.path("compactMetadata");
                    }
                }
            }
        }
        throw new AssertionError("no compact_boundary in the CLI's transcripts");
    }

    /** The text of an interaction's answer (direct, or its deferred reply edited). */
    private String replyText(InteractionRef ref) {
        return world.discord.changes()
                .filter(c -> (c instanceof Change.MessageEdited e && e.message().interactionId().map(ref.id()::equals)
                        .orElse(false)) || (c instanceof Change.InteractionAnswered a
                        && a.interactionId().equals(ref.id())))
                .map(c -> c instanceof Change.MessageEdited e ? e.message().content()
                        : ((Change.InteractionAnswered) c).data().path("content").asText())
                .filter(t -> !t.isEmpty())
                .blockFirst(BotWorld.WAIT);
    }
}
