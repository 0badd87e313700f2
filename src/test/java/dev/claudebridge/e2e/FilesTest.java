package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import dev.claudebridge.testkit.discord.PostedMessage;
import dev.claudebridge.testkit.discord.UserFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files in and out on Discord, the real CLI against the fake model: attachments (served by the fake Discord's CDN)
 * saved into the session's {@code attachments/}, an image reaching the model as an image block, the limits, and
 * {@code /download} of a file the agent wrote, confined to the working directory.
 */
@Timeout(180)
final class FilesTest {

    /** A 1x1 PNG (the one of transcript 11_content_blocks_image_thinking). */
    static final String PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    @TempDir
    Path root;

    private BotWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    /** A session opened by a first prompt in the main channel, its answer there: the thread. */
    private String session() {
        world.api.on(Match.userTextContains("let us start"), Reply.text("Started."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "let us start");
        String thread = world.awaitThread();
        finalReply(thread, "Started.");
        return thread;
    }

    private PostedMessage finalReply(String thread, String text) {
        return world.awaitContent(thread, c -> c.contains(text) && c.contains("⏱"));
    }

    /** The messages request whose newest user text contains {@code text}. */
    private RecordedRequest request(String text) {
        return world.api.requestStream().filter(r -> r.userText().contains(text)).blockFirst(BotWorld.WAIT);
    }

    @Test
    void anImageReachesTheModelAsAnImageBlockAndIsSavedUnderAttachments() throws Exception {
        world = BotWorld.start(root);
        String thread = session();
        world.api.on(Match.userTextContains("what is in this picture"), Reply.text("A single pixel."));
        byte[] png = Base64.getDecoder().decode(PIXEL_PNG);

        // Named without an extension, declared as something else: the bytes say it is a PNG.
        world.discord.userMessage(FakeUser.OWNER, thread, "what is in this picture?",
                List.of(new UserFile("screenshot", "application/octet-stream", png)));

        finalReply(thread, "A single pixel.");
        RecordedRequest request = request("what is in this picture");
        List<JsonNode> images = request.userImages();
        assertThat(images).singleElement().satisfies(image -> {
            assertThat(image.path("source").path("type").asText()).isEqualTo("base64");
            assertThat(image.path("source").path("media_type").asText()).isEqualTo("image/png");
            assertThat(image.path("source").path("data").asText()).isEqualTo(PIXEL_PNG);
        });
        assertThat(request.userText()).contains("attachments/screenshot.png", "image/png",
                "also shown to you as an image");
        assertThat(world.workspace.resolve("attachments/screenshot.png")).hasBinaryContent(png);
    }

    @Test
    void aFileLandsInAttachmentsUnderItsNameAndThePromptNamesItsPath() throws Exception {
        world = BotWorld.start(root);
        String thread = session();
        world.api.on(Match.userTextContains("read my notes"), Reply.text("Noted the notes."));
        byte[] notes = "first line\nsecond line\n".getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(world.workspace.resolve("attachments"));
        Files.writeString(world.workspace.resolve("attachments/notes.txt"), "an older file of the same name");

        world.discord.userMessage(FakeUser.OWNER, thread, "read my notes",
                List.of(new UserFile("../../notes.txt", "text/plain", notes),
                        new UserFile(".hidden config", "text/plain", notes)));

        finalReply(thread, "Noted the notes.");
        String prompt = request("read my notes").userText();
        // The older file is kept; the new one takes the next free name. No path leads out, no name is hidden.
        assertThat(prompt).contains("The user attached 2 files", "attachments/notes-2.txt (23 bytes)",
                "attachments/hidden_config (23 bytes)");
        assertThat(world.workspace.resolve("attachments/notes-2.txt")).hasBinaryContent(notes);
        assertThat(world.workspace.resolve("attachments/notes.txt")).hasContent("an older file of the same name");
        assertThat(world.workspace.resolve("attachments/hidden_config")).hasBinaryContent(notes);
        assertThat(root.resolve("notes.txt")).doesNotExist();
    }

    @Test
    void aMessageWithOnlyAnAttachmentIsAPromptAndIsAnswered() throws Exception {
        world = BotWorld.start(root);
        world.api.on(Match.userTextContains("attachments/data.csv"), Reply.text("A CSV with two rows."));

        // In the main channel: it opens a session, its file goes into the new session's working directory.
        world.discord.userMessage(FakeUser.OWNER, world.main(), "",
                List.of(new UserFile("data.csv", "text/csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8))));

        String thread = world.awaitThread();
        finalReply(thread, "A CSV with two rows.");
        assertThat(request("attachments/data.csv").userText()).startsWith("The user attached a file");
        assertThat(world.workspace.resolve("attachments/data.csv")).hasContent("a,b\n1,2\n");
    }

    @Test
    void aMessageOverALimitIsRefusedAndNothingOfItIsSaved() throws Exception {
        world = BotWorld.start(root, s -> s, Map.of("ATTACHMENT_MAX_BYTES", "1KiB", "ATTACHMENT_MAX_COUNT", "2"));
        String thread = session();
        world.api.on(Match.userTextContains("after the refusals"), Reply.text("Still here."));
        byte[] small = "small".getBytes(StandardCharsets.UTF_8);

        world.discord.userMessage(FakeUser.OWNER, thread, "take these", List.of(
                new UserFile("small.txt", "text/plain", small), new UserFile("big.bin", "application/octet-stream",
                        new byte[4096])));
        PostedMessage tooLarge = world.awaitContent(thread, c -> c.contains("was not taken"));
        assertThat(tooLarge.content()).contains("`big.bin` is 4 KiB", "the limit of 1 KiB per file",
                "ATTACHMENT_MAX_BYTES", "Nothing of it was saved");

        world.discord.userMessage(FakeUser.OWNER, thread, "and these", List.of(
                new UserFile("a.txt", "text/plain", small), new UserFile("b.txt", "text/plain", small),
                new UserFile("c.txt", "text/plain", small)));
        world.awaitContent(thread, c -> c.contains("it has 3 files, over the limit of 2 per message"));

        // The session goes on, and neither refused message reached the model or the disk.
        world.discord.userMessage(FakeUser.OWNER, thread, "after the refusals");
        finalReply(thread, "Still here.");
        assertThat(world.api.requests()).noneMatch(r -> r.userText().contains("take these")
                || r.userText().contains("and these"));
        assertThat(world.workspace.resolve("attachments")).doesNotExist();
    }

    @Test
    void downloadAttachesAFileTheAgentWroteAndNothingFromOutsideTheWorkingDirectory() throws Exception {
        world = BotWorld.start(root, s -> s, Map.of("DISCORD_UPLOAD_LIMIT", "2KiB"));
        Path report = world.workspace.resolve("report.md");
        world.api.on(Match.userTextContains("write the report"), Reply.blocks(Block.text("Writing it."),
                        Block.toolUse("Write", Map.of("file_path", report.toString(), "content", "# Report\nAll good.\n"))))
                .on(Match.toolResultFor("Write"), Reply.text("The report is written."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "write the report");
        String thread = world.awaitThread();
        PostedMessage permission = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("🔐"));
        assertThat(permission.content()).contains("Write");
        world.discord.clickButton(FakeUser.OWNER, permission.id(), permission.customIds().get(0));
        finalReply(thread, "The report is written.");

        InteractionRef download = world.discord.slashCommand(FakeUser.OWNER, thread, "download",
                Map.of("path", "report.md"));
        assertThat(replyText(download, "Attached.")).isEqualTo("Attached.");
        PostedMessage file = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("📎"));
        assertThat(file.content()).contains("`report.md` (19 bytes)");
        assertThat(file.attachments()).singleElement().satisfies(a -> {
            assertThat(a.filename()).isEqualTo("report.md");
            assertThat(a.text()).isEqualTo("# Report\nAll good.\n");
        });

        // Outside the working directory, by .., by an absolute path, by a link to a file and by a linked directory.
        Files.writeString(root.resolve("secret.txt"), "not for the chat");
        Files.createSymbolicLink(world.workspace.resolve("link.txt"), root.resolve("secret.txt"));
        Files.createSymbolicLink(world.workspace.resolve("up"), root);
        Files.write(world.workspace.resolve("big.log"), new byte[3000]);
        Map<String, String> refusals = Map.of(
                "../secret.txt", "outside the session's working directory",
                root.resolve("secret.txt").toString(), "outside the session's working directory",
                "link.txt", "leads outside the session's working directory",
                "up/secret.txt", "leads outside the session's working directory",
                "missing.txt", "no such file",
                "big.log", "`big.log` is 2.9 KiB, over the upload limit of 2 KiB here");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            InteractionRef ref = world.discord.slashCommand(FakeUser.OWNER, thread, "download",
                    Map.of("path", refusal.getKey()));
            assertThat(replyText(ref, refusal.getValue())).as(refusal.getKey()).contains(refusal.getValue());
        }
        assertThat(world.discord.messages(thread)).filteredOn(m -> !m.attachments().isEmpty())
                .singleElement().extracting(PostedMessage::id).isEqualTo(file.id());

        InteractionRef stranger = world.discord.slashCommand(FakeUser.FRIEND, thread, "download",
                Map.of("path", "report.md"));
        assertThat(replyText(stranger, "owner")).contains("Only the session's owner");
    }

    /** The reply text of an interaction once its deferred reply was edited (or its direct reply). */
    private String replyText(InteractionRef ref, String contains) {
        return world.discord.changes()
                .filter(c -> (c instanceof Change.MessageEdited e && e.message().interactionId().map(ref.id()::equals)
                        .orElse(false)) || (c instanceof Change.InteractionAnswered a
                        && a.interactionId().equals(ref.id())))
                .map(c -> c instanceof Change.MessageEdited e ? e.message().content()
                        : ((Change.InteractionAnswered) c).data().path("content").asText())
                .filter(t -> t.contains(contains))
                .blockFirst(BotWorld.WAIT);
    }
}
