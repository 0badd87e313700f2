package dev.claudebridge.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.anthropic.StandaloneCli;
import dev.claudebridge.testkit.mattermost.FakeMattermostSettings;
import dev.claudebridge.testkit.mattermost.MmPost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The context window on Mattermost, the real CLI against the fake model: the footer's figure is the CLI's own
 * {@code get_context_usage} percentage (compared with a second CLI given the same answers), {@code !compact} says what
 * it freed in the CLI's own figures (its transcript's {@code compact_boundary}), {@code !clear} leaves the model no
 * earlier turn and {@code !export} keeps them all.
 */
@Timeout(180)
final class MattermostContextTest {

    static final int FULL_INPUT = 423_000;
    static final String SUMMARY_REQUEST = "Respond with TEXT ONLY";
    private static final Pattern FIGURE = Pattern.compile("context (\\d+)% full");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Not {@code @TempDir}, as in MattermostFlowTest: an H2 trace file racing the shutdown may be left behind. */
    private Path root;

    private MattermostWorld world;

    @BeforeEach
    void root() throws IOException {
        root = Files.createTempDirectory("mattermost-context");
    }

    @AfterEach
    void stop() throws IOException {
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

    @Test
    void theFooterShowsTheClisFigureCompactSaysWhatItFreedAndClearStartsAfresh() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        world.api.on(Match.userTextContains("fill the context"), Reply.text("Filled.").usage(FULL_INPUT, 40))
                .on(Match.userTextContains(SUMMARY_REQUEST),
                        Reply.text("<summary>The user filled the context with BANANA-42.</summary>").usage(6000, 30))
                .on(Match.any(), Reply.text("I know of no codeword."));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new fill the context");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()).id();
        MmPost first = world.botPost(p -> p.rootId().equals(thread) && p.message().contains("Filled.")
                && p.message().contains("⏱"));
        JsonNode cli = StandaloneCli.contextUsageAfter(root.resolve("standalone"), world.api.baseUrl(),
                "fill the context");
        assertThat(cli.path("percentage").asInt()).isGreaterThan(10);
        assertThat(figure(first.message())).isEqualTo(cli.path("percentage").asInt());

        world.mm.reply(world.mm.owner(), thread, "!compact");
        // Right after a footer the session may not have marked its turn over yet: either answer is right.
        world.botPost(p -> p.rootId().equals(thread) && (p.message().equals(Texts.COMPACT_STARTED)
                || p.message().startsWith("⏳ !compact waits behind the running turn")));
        MmPost compacted = world.botPost(p -> p.rootId().equals(thread) && p.message().contains("🗜️ Compacted")
                && p.message().contains("⏱"));
        assertThat(world.api.requests()).as("the CLI asked the model for the summary")
                .anyMatch(r -> r.userText().contains(SUMMARY_REQUEST));
        JsonNode boundary = compactBoundary();
        long before = boundary.path("preTokens").asLong();
        long after = boundary.path("postTokens").asLong();
        assertThat(before).isEqualTo(FULL_INPUT + 40);
        assertThat(compacted.message()).contains("the context went from " + Texts.tokens(before) + " to "
                + Texts.tokens(after) + " (" + Texts.tokens(before - after) + " freed)");
        assertThat(figure(compacted.message())).isLessThan(figure(first.message()));

        world.mm.reply(world.mm.owner(), thread, "!clear");
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("🧹 Cleared")
                && p.message().contains("⏱"));
        world.mm.reply(world.mm.owner(), thread, "what was the codeword?");
        world.botPost(p -> p.rootId().equals(thread) && p.message().contains("I know of no codeword.")
                && p.message().contains("⏱"));
        RecordedRequest next = world.api.requests().stream()
                .filter(r -> r.userText().contains("what was the codeword")).findFirst().orElseThrow();
        assertThat(next.body().path("messages").toString()).doesNotContain("BANANA-42")
                .doesNotContain("fill the context");

        world.mm.reply(world.mm.owner(), thread, "!export");
        MmPost export = world.botPost(p -> p.rootId().equals(thread) && !p.fileIds().isEmpty());
        String md = new String(world.mm.file(export.fileIds().get(0)).orElseThrow().content(),
                StandardCharsets.UTF_8);
        assertThat(md).contains("fill the context", "Filled.", "/compact", "/clear", "what was the codeword?");
    }

    private static int figure(String message) {
        Matcher m = FIGURE.matcher(message);
        assertThat(m.find()).as("a context figure in %s", message).isTrue();
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
}
