package dev.claudebridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The AOT cache's training run ({@code --train}, the Dockerfile's training step), in this JVM: the real start-up,
 * twice, against the stand-in Discord on 127.0.0.1, with the pinned CLI, and no network. It must succeed, leave nothing
 * behind, and fail (so the image build fails) when the CLI cannot run. The cache it makes with a JDK 25 is checked by
 * {@code TrainingIT} on the packaged jar.
 */
@Timeout(150)
final class TrainingTest {

    private static final String CLI = Path.of(System.getProperty("claude.bin", "tools/node_modules/.bin/claude"))
            .toAbsolutePath().toString();

    @Test
    void runsTheStartUpAgainstNothingAndLeavesNothingBehind() throws IOException {
        List<Path> before = trainingDirectories();
        assertThat(Training.run(Map.of("CLAUDE_BIN", CLI, "PATH", System.getenv("PATH")))).isZero();
        assertThat(trainingDirectories()).as("its temporary directory is gone").isEqualTo(before);
    }

    @Test
    void aCliThatCannotRunFailsIt() {
        assertThat(Training.run(Map.of("CLAUDE_BIN", "/nonexistent/claude", "PATH", System.getenv("PATH"))))
                .isEqualTo(1);
    }

    @Test
    void itsDiscordIsTheStandInAndItsFilesLieInItsDirectory() throws IOException {
        Path dir = Files.createTempDirectory("training-test-");
        Map<String, String> env = Training.environment(dir, "http://127.0.0.1:1234/api/v10", "http://127.0.0.1:1235", Map.of("CLAUDE_BIN",
                CLI, "PATH", "/usr/bin", "DISCORD_TOKEN", "a real one", "DATA_DIR", "/data", "ANTHROPIC_API_KEY",
                "a real one"));
        assertThat(env.get("DISCORD_API_BASE_URL")).isEqualTo("http://127.0.0.1:1234/api/v10");
        assertThat(env.get("DATA_DIR")).startsWith(dir.toString());
        assertThat(env).containsEntry("CLAUDE_BIN", CLI).containsEntry("PATH", "/usr/bin")
                .containsEntry("OPS_PORT", "0");
        assertThat(env.values()).as("nothing of the real environment but CLAUDE_BIN and PATH")
                .doesNotContain("a real one", "/data");
        Files.delete(dir);
    }

    private static List<Path> trainingDirectories() throws IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("claude-bridge-training-")).sorted()
                    .toList();
        }
    }
}
