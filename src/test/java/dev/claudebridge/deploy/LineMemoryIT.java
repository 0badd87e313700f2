package dev.claudebridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.agent.session.LineFloodMain;
import dev.claudebridge.config.BridgeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worst case of the defaults fits the image's heap: {@code MAX_LIVE_CLIS} CLIs each writing lines of
 * {@code MAX_LINE_BYTES} at once, through the bot's own reading and decoding path ({@link LineFloodMain}), in a JVM
 * with the Dockerfile's {@code -Xmx}. The margin is about two: 32 CLIs ran out of memory in one of two runs on
 * 2 cores (how many lines are in flight at once depends on timing, so that run is no check of its own).
 */
@Timeout(600)
final class LineMemoryIT {

    private static final int LINES_EACH = 5;

    @TempDir
    Path root;

    private record Run(int exit, String output) {
    }

    @Test
    void maxLiveClisLinesOfMaxLineBytesFitTheImagesHeap() throws Exception {
        Path workspace = Files.createDirectories(root.resolve("workspace"));
        BridgeConfig defaults = BridgeConfig.fromEnv(Map.of("DISCORD_TOKEN", "t", "DISCORD_MAIN_CHANNEL_ID", "1",
                "ALLOWED_USER_IDS", "1", "WORKSPACE_ROOT", workspace.toString(), "DATA_DIR",
                root.resolve("data").toString(), "PATH", System.getenv("PATH")));
        long heap = DockerfileTest.runtimeMaxHeapBytes();

        Run fits = flood(heap, defaults.maxLiveClis(), defaults.maxLineBytes());
        assertThat(fits.exit()).as(fits.output()).isZero();
        assertThat(fits.output()).contains("arrived " + defaults.maxLiveClis() * LINES_EACH + " of ");
    }

    private Run flood(long heap, int clis, int lineBytes) throws IOException, InterruptedException {
        Path script = Path.of("src/test/resources/flood/flood-cli.js").toAbsolutePath();
        assertThat(script).isExecutable();
        Path log = root.resolve("flood-" + clis + ".log");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + (heap >> 20) + "m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), LineFloodMain.class.getName(),
                String.valueOf(clis), String.valueOf(lineBytes), String.valueOf(LINES_EACH), script.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the flood of " + clis + " CLIs did not end in 300 s");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        String summary = output.lines().filter(l -> l.startsWith("arrived") || l.contains("OutOfMemoryError"))
                .reduce("", (a, b) -> a + b + "\n");
        System.out.println("flood of " + clis + " CLIs x " + LINES_EACH + " lines of " + lineBytes + " bytes, -Xmx"
                + (heap >> 20) + "m: exit " + p.exitValue() + "; " + summary.strip());
        return new Run(p.exitValue(), summary.isEmpty() ? output.substring(Math.max(0, output.length() - 2000))
                : summary);
    }
}
