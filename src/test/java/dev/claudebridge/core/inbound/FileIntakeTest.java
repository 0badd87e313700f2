package dev.claudebridge.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.port.SessionFiles;
import dev.claudebridge.core.session.FakeChat;
import dev.claudebridge.core.session.Images;
import dev.claudebridge.core.session.InMemorySessionFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** A message's files into the working directory: the limits, all or none, names, and the prompt that names them. */
final class FileIntakeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final SessionFiles.Place PLACE = new SessionFiles.Place("discord", "t1", Path.of("/tmp"));
    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private final InMemorySessionFiles files = new InMemorySessionFiles();
    private final FileIntake intake = new FileIntake(files, 1024, 3, new FakeChat("discord").markup());
    private final List<String> fetched = new ArrayList<>();

    private IncomingFile file(String name, byte[] content) {
        return new IncomingFile(name, content.length, "", max -> Mono.fromCallable(() -> {
            fetched.add(name);
            if (content.length > max) {
                throw new IncomingFile.TooLarge(max + 1);
            }
            return content;
        }));
    }

    /** A file whose platform says it is small, and whose download then brings more than the limit. */
    private IncomingFile lying(String name) {
        return new IncomingFile(name, 10, "", max -> Mono.fromCallable(() -> {
            fetched.add(name);
            throw new IncomingFile.TooLarge(max + 1);
        }));
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void overTheCountOrOverTheSizeIsRefusedBeforeAnythingIsFetched() {
        assertThat(intake.refusal(List.of(file("a", text("a")), file("b", text("b")), file("c", text("c")),
                file("d", text("d"))))).hasValueSatisfying(s -> assertThat(s).contains("it has 4 files",
                "the limit of 3 per message", "ATTACHMENT_MAX_COUNT"));
        assertThat(intake.refusal(List.of(file("ok.txt", text("a")), file("big.bin", new byte[2048]))))
                .hasValueSatisfying(s -> assertThat(s).contains("`big.bin` is 2 KiB", "the limit of 1 KiB per file"));
        assertThat(intake.refusal(List.of(file("ok.txt", new byte[1024])))).isEmpty();
        assertThat(fetched).isEmpty();
    }

    @Test
    void aFileTooLargeOnlyOnceFetchedUndoesTheFilesSavedBeforeIt() {
        intake.take(PLACE, List.of(file("first.txt", text("one")), lying("second.bin")))
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(FileIntake.NotTaken.class)
                        .hasMessageContaining("`second.bin` is 1 KiB").hasMessageContaining("Nothing of it was saved"))
                .verify(WAIT);
        assertThat(fetched).containsExactly("first.txt", "second.bin");
        assertThat(files.files).isEmpty();
    }

    @Test
    void aFileThatCannotBeSavedUndoesTheOthersAndSaysWhy() {
        files.failing = "third.txt";
        intake.take(PLACE, List.of(file("first.txt", text("1")), file("second.txt", text("2")),
                        file("third.txt", text("3"))))
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining(
                        "`third.txt` could not be saved (no space left on device)"))
                .verify(WAIT);
        assertThat(files.files).isEmpty();
    }

    @Test
    void aFileThatCannotBeFetchedIsSaid() {
        IncomingFile broken = new IncomingFile("gone.txt", 3, "", max -> Mono.error(new java.io.IOException("HTTP 404")));
        intake.take(PLACE, List.of(broken)).as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining(
                        "`gone.txt` could not be saved (it could not be fetched: HTTP 404)"))
                .verify(WAIT);
    }

    @Test
    void everyFileIsSavedUnderAFreeNameAndImagesAreToldByTheirBytes() {
        files.put("t1", "attachments/notes.txt", text("older"));
        List<FileIntake.Saved> saved = intake.take(PLACE, List.of(file("notes.txt", text("new notes")),
                file("photo.jpg", PNG), file("fake.png", text("not a png")))).block(WAIT);

        assertThat(saved).extracting(FileIntake.Saved::path).containsExactly("attachments/notes-2.txt",
                "attachments/photo.jpg.png", "attachments/fake.png");
        assertThat(saved).extracting(FileIntake.Saved::imageType).containsExactly(Optional.empty(),
                Optional.of("image/png"), Optional.empty());
        assertThat(FileIntake.images(saved)).containsExactly("attachments/photo.jpg.png");
        assertThat(files.files.get("t1:attachments/notes.txt")).isEqualTo(text("older"));
        assertThat(FileIntake.promptText("  compare these ", saved)).isEqualTo("""
                compare these

                The user attached 3 files, saved in the working directory:
                - attachments/notes-2.txt (9 bytes)
                - attachments/photo.jpg.png (70 bytes, image/png, also shown to you as an image)
                - attachments/fake.png (9 bytes)""");
    }

    @Test
    void anImageTooLargeForTheModelIsSavedAndNamedButNotShown() {
        byte[] big = Arrays.copyOf(PNG, (int) Images.MAX_BYTES + 1);
        FileIntake roomy = new FileIntake(files, 8L << 20, 3, new FakeChat("discord").markup());
        List<FileIntake.Saved> saved = roomy.take(PLACE, List.of(file("huge.png", big))).block(WAIT);

        assertThat(FileIntake.images(saved)).isEmpty();
        assertThat(FileIntake.promptText("", saved)).isEqualTo("The user attached a file, saved in the working"
                + " directory:\n- attachments/huge.png (3.8 MiB, image/png, too large to be shown to you as an"
                + " image)");
    }

    @Test
    void namesKeepNoDirectoryNoHiddenDotAndNoShellCharacters() {
        assertThat(FileIntake.fileName("../../etc/passwd")).isEqualTo("passwd");
        assertThat(FileIntake.fileName("C:\\Users\\me\\report final.pdf")).isEqualTo("report_final.pdf");
        assertThat(FileIntake.fileName(".bashrc")).isEqualTo("bashrc");
        assertThat(FileIntake.fileName("--rf *.txt")).isEqualTo("rf_.txt");
        assertThat(FileIntake.fileName("$(reboot);`id`.sh")).isEqualTo("reboot_id_.sh");
        assertThat(FileIntake.fileName("résumé.pdf")).isEqualTo("résumé.pdf");
        assertThat(FileIntake.fileName("...")).isEqualTo("file");
        assertThat(FileIntake.fileName("")).isEqualTo("file");
        String longName = FileIntake.fileName("x".repeat(300) + ".tar.gz");
        assertThat(longName).hasSize(FileIntake.MAX_NAME).endsWith("x.gz");
    }
}
