package dev.claudebridge.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.mattermost.FakeMattermostSettings;
import dev.claudebridge.testkit.mattermost.MmPost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Files in and out on Mattermost, the real CLI against the fake model: files a user uploads with a reply
 * ({@code file_ids}, fetched with {@code GET /files/{id}} and the bot's token) saved into the session's
 * {@code attachments/}, an image reaching the model as an image block, the limits, and {@code !download} of a file
 * the agent wrote, confined to the working directory and to the server's {@code MaxFileSize}.
 */
@Timeout(180)
final class MattermostFilesTest {

    /** A 1x1 PNG (the one of transcript 11_content_blocks_image_thinking). */
    static final String PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    /** Not JUnit's {@code @TempDir}, for the reason MattermostFlowTest gives. */
    private Path root;

    private MattermostWorld world;

    @BeforeEach
    void root() throws java.io.IOException {
        root = Files.createTempDirectory("mattermost-files");
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

    /** {@code !new} in the owner's DM, its answer in the thread: the thread's root post id. */
    private String session() {
        world.api.on(Match.userTextContains("let us start"), Reply.text("Started."));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new let us start");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()).id();
        answer(thread, "Started.");
        return thread;
    }

    private MmPost answer(String thread, String text) {
        return world.botPost(p -> p.rootId().equals(thread) && p.message().contains(text)
                && p.message().contains("⏱"));
    }

    private String upload(String name, String type, byte[] content) {
        return world.mm.upload(world.mm.owner(), world.ownerDm(), name, type, content);
    }

    private RecordedRequest request(String text) {
        return world.api.requestStream().filter(r -> r.userText().contains(text)).blockFirst(MattermostWorld.WAIT);
    }

    @Test
    void anImageReachesTheModelAsAnImageBlockAndAFileLandsInAttachments() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        String thread = session();
        world.api.on(Match.userTextContains("look at both"), Reply.text("A pixel and a note."));
        byte[] png = Base64.getDecoder().decode(PIXEL_PNG);
        byte[] notes = "remember the milk\n".getBytes(StandardCharsets.UTF_8);

        world.mm.reply(world.mm.owner(), thread, "look at both", List.of(upload("pixel.png", "image/png", png),
                upload("notes.txt", "text/plain", notes)));

        answer(thread, "A pixel and a note.");
        RecordedRequest request = request("look at both");
        List<JsonNode> images = request.userImages();
        assertThat(images).singleElement().satisfies(image -> {
            assertThat(image.path("source").path("media_type").asText()).isEqualTo("image/png");
            assertThat(image.path("source").path("data").asText()).isEqualTo(PIXEL_PNG);
        });
        assertThat(request.userText()).contains("The user attached 2 files", "attachments/pixel.png (70 bytes, "
                + "image/png, also shown to you as an image)", "attachments/notes.txt (18 bytes)");
        assertThat(world.workspace.resolve("attachments/pixel.png")).hasBinaryContent(png);
        assertThat(world.workspace.resolve("attachments/notes.txt")).hasBinaryContent(notes);
    }

    @Test
    void aReplyWithOnlyAFileIsAPromptAndIsAnswered() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults());
        String thread = session();
        world.api.on(Match.userTextContains("attachments/data.csv"), Reply.text("Two rows."));

        world.mm.reply(world.mm.owner(), thread, "", List.of(upload("data.csv", "text/csv",
                "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8))));

        answer(thread, "Two rows.");
        assertThat(request("attachments/data.csv").userText()).startsWith("The user attached a file");
        assertThat(world.workspace.resolve("attachments/data.csv")).hasContent("a,b\n1,2\n");
    }

    @Test
    void aReplyOverALimitIsRefusedAndNothingOfItIsSaved() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults(),
                Map.of("ATTACHMENT_MAX_BYTES", "1KiB"));
        String thread = session();
        world.api.on(Match.userTextContains("after the refusal"), Reply.text("Still here."));

        world.mm.reply(world.mm.owner(), thread, "take these", List.of(
                upload("small.txt", "text/plain", "small".getBytes(StandardCharsets.UTF_8)),
                upload("big.bin", "application/octet-stream", new byte[4096])));

        MmPost refusal = world.botPost(p -> p.rootId().equals(thread) && p.message().contains("was not taken"));
        assertThat(refusal.message()).contains("`big.bin` is 4 KiB", "the limit of 1 KiB per file",
                "Nothing of it was saved");
        world.mm.reply(world.mm.owner(), thread, "after the refusal");
        answer(thread, "Still here.");
        assertThat(world.api.requests()).noneMatch(r -> r.userText().contains("take these"));
        assertThat(world.workspace.resolve("attachments")).doesNotExist();
    }

    @Test
    void downloadAttachesAFileTheAgentWroteAndNothingFromOutsideTheWorkingDirectory() throws Exception {
        world = MattermostWorld.start(root, false, FakeMattermostSettings.defaults().withMaxFileSize(2048));
        Path report = world.workspace.resolve("report.md");
        world.api.on(Match.userTextContains("write the report"), Reply.blocks(Block.text("Writing it."),
                        Block.toolUse("Write", Map.of("file_path", report.toString(), "content", "# Report\nAll good.\n"))))
                .on(Match.toolResultFor("Write"), Reply.text("The report is written."));
        String dm = world.ownerDm();
        world.mm.post(world.mm.owner(), dm, "!new write the report");
        String thread = world.botPost(p -> p.channelId().equals(dm) && p.rootId().isEmpty()).id();
        MmPost permission = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("🔐"));
        assertThat(permission.message()).contains("Write");
        world.awaitState(permission.id(), p -> p.reactions().containsKey("+1"));
        world.mm.react(world.mm.owner(), permission.id(), "+1");
        answer(thread, "The report is written.");

        world.mm.reply(world.mm.owner(), thread, "!download report.md");
        MmPost file = world.botPost(p -> p.rootId().equals(thread) && p.message().startsWith("📎"));
        assertThat(file.message()).contains("`report.md` (19 bytes)");
        assertThat(file.fileIds()).singleElement().satisfies(id -> {
            assertThat(world.mm.file(id).orElseThrow().name()).isEqualTo("report.md");
            assertThat(new String(world.mm.file(id).orElseThrow().content(), StandardCharsets.UTF_8))
                    .isEqualTo("# Report\nAll good.\n");
        });
        world.botPost(p -> p.rootId().equals(thread) && p.message().equals("Attached."));

        // Outside the working directory by .., an absolute path, a link to a file, a linked directory; and a file
        // over the server's MaxFileSize.
        Files.writeString(root.resolve("secret.txt"), "not for the chat");
        Files.createSymbolicLink(world.workspace.resolve("link.txt"), root.resolve("secret.txt"));
        Files.createSymbolicLink(world.workspace.resolve("up"), root);
        Files.write(world.workspace.resolve("big.log"), new byte[3000]);
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("../secret.txt", "outside the session's working directory");
        refusals.put(root.resolve("secret.txt").toString(), "outside the session's working directory");
        refusals.put("link.txt", "leads outside the session's working directory");
        refusals.put("up/secret.txt", "leads outside the session's working directory");
        refusals.put("big.log", "`big.log` is 2.9 KiB, over the upload limit of 2 KiB here");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            String asked = world.mm.reply(world.mm.owner(), thread, "!download " + refusal.getKey());
            MmPost answer = world.botPost(p -> p.rootId().equals(thread) && p.createAt() >= world.mm.post(asked)
                    .createAt() && p.message().contains(refusal.getValue()));
            assertThat(answer.fileIds()).as(refusal.getKey()).isEmpty();
        }
        assertThat(world.botPostsIn(thread)).filteredOn(p -> !p.fileIds().isEmpty()).singleElement()
                .extracting(MmPost::id).isEqualTo(file.id());
        assertThat(world.api.unmatchedPrompts()).as("no !download reached the model").isEmpty();
    }
}
