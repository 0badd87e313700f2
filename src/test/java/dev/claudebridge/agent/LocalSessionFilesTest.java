package dev.claudebridge.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.port.SessionFiles;
import dev.claudebridge.core.port.SessionFiles.FileRead;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * The embedded runtime's session files on disk: saved only into {@code attachments/} of a working directory under
 * the workspace root, never over an existing file or through a link; read only from inside the working directory.
 * Called from a parallel thread with BlockHound on: the disk work moves to the blocking scheduler.
 */
final class LocalSessionFilesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path root;

    private Path workspace;
    private Path session;
    private Scheduler blocking;
    private LocalSessionFiles files;
    private SessionFiles.Place place;

    @BeforeEach
    void setUp() throws Exception {
        workspace = Files.createDirectories(root.resolve("workspace"));
        session = Files.createDirectories(workspace.resolve("project"));
        blocking = Schedulers.newBoundedElastic(2, 100, "files-test");
        files = new LocalSessionFiles(workspace, blocking);
        place = new SessionFiles.Place("discord", "t1", session);
    }

    @AfterEach
    void tearDown() {
        blocking.dispose();
    }

    private String save(String name, String content) {
        return files.saveAttachment(place, name, content.getBytes(StandardCharsets.UTF_8))
                .subscribeOn(Schedulers.parallel()).block(WAIT);
    }

    private FileRead read(String path, long max) {
        return files.read(place, path, max).subscribeOn(Schedulers.parallel()).block(WAIT);
    }

    @Test
    void aNameThatIsTakenGetsTheNextNumberAndNothingIsOverwritten() throws Exception {
        assertThat(save("report.pdf", "one")).isEqualTo("attachments/report.pdf");
        assertThat(save("report.pdf", "two")).isEqualTo("attachments/report-2.pdf");
        assertThat(save("README", "three")).isEqualTo("attachments/README");
        assertThat(save("README", "four")).isEqualTo("attachments/README-2");
        assertThat(session.resolve("attachments/report.pdf")).hasContent("one");
        assertThat(session.resolve("attachments/report-2.pdf")).hasContent("two");
    }

    @Test
    void aLinkWhereTheFileWouldGoIsNotFollowed() throws Exception {
        Files.createDirectories(session.resolve("attachments"));
        Path target = root.resolve("outside.txt");
        Files.createSymbolicLink(session.resolve("attachments/notes.txt"), target);

        assertThat(save("notes.txt", "hello")).isEqualTo("attachments/notes-2.txt");
        assertThat(target).doesNotExist();
    }

    @Test
    void anAttachmentsDirectoryThatLeadsOutIsRefused() throws Exception {
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        Files.createSymbolicLink(session.resolve("attachments"), elsewhere);

        files.saveAttachment(place, "a.txt", new byte[] {1}).as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("leads out of the working directory"))
                .verify(WAIT);
        try (var listing = Files.list(elsewhere)) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void aWorkingDirectoryThatNowLeadsOutOfTheWorkspaceIsRefused() throws Exception {
        Path moved = Files.createDirectories(root.resolve("moved"));
        Path link = workspace.resolve("swapped");
        Files.createSymbolicLink(link, moved);
        SessionFiles.Place swapped = new SessionFiles.Place("discord", "t2", link);

        files.saveAttachment(swapped, "a.txt", new byte[] {1}).as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("outside WORKSPACE_ROOT"))
                .verify(WAIT);
        files.read(swapped, "a.txt", 100).as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("outside WORKSPACE_ROOT"))
                .verify(WAIT);
    }

    @Test
    void deleteRemovesOnlyWhatIsUnderAttachments() throws Exception {
        String path = save("gone.txt", "x");
        Files.writeString(session.resolve("keep.txt"), "mine");

        files.delete(place, path).block(WAIT);
        files.delete(place, "keep.txt").block(WAIT);
        files.delete(place, "attachments/../keep.txt").block(WAIT);

        assertThat(session.resolve(path)).doesNotExist();
        assertThat(session.resolve("keep.txt")).exists();
    }

    @Test
    void readGivesAFileInsideAndRefusesEveryWayOut() throws Exception {
        Files.createDirectories(session.resolve("out"));
        Files.writeString(session.resolve("out/result.txt"), "42");
        Files.writeString(root.resolve("secret.txt"), "no");
        Files.writeString(workspace.resolve("sibling.txt"), "another session's");
        Files.createSymbolicLink(session.resolve("link.txt"), root.resolve("secret.txt"));
        Files.createSymbolicLink(session.resolve("inner.txt"), session.resolve("out/result.txt"));
        Files.write(session.resolve("big.bin"), new byte[101]);

        assertThat(read("out/result.txt", 100)).isInstanceOfSatisfying(FileRead.Found.class, f -> {
            assertThat(f.path()).isEqualTo("out/result.txt");
            assertThat(new String(f.content(), StandardCharsets.UTF_8)).isEqualTo("42");
        });
        assertThat(read(session.resolve("out/result.txt").toString(), 100)).isInstanceOf(FileRead.Found.class);
        assertThat(read("inner.txt", 100)).isInstanceOfSatisfying(FileRead.Found.class,
                f -> assertThat(f.path()).isEqualTo("out/result.txt"));
        assertThat(read("big.bin", 100)).isEqualTo(new FileRead.TooLarge("big.bin", 101));
        assertThat(read("../sibling.txt", 100)).isInstanceOfSatisfying(FileRead.Refused.class,
                r -> assertThat(r.why()).contains("outside the session's working directory"));
        assertThat(read(root.resolve("secret.txt").toString(), 100)).isInstanceOf(FileRead.Refused.class);
        assertThat(read("link.txt", 100)).isInstanceOfSatisfying(FileRead.Refused.class,
                r -> assertThat(r.why()).contains("leads outside"));
        assertThat(read("out", 100)).isInstanceOfSatisfying(FileRead.Refused.class,
                r -> assertThat(r.why()).contains("not a file"));
        assertThat(read("nothing.txt", 100)).isInstanceOfSatisfying(FileRead.Refused.class,
                r -> assertThat(r.why()).contains("no such file"));
    }
}
