package dev.claudebridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as an OS process: a bad configuration ends start-up with one line and exit code 2. */
final class MainConfigIT {

    @TempDir
    Path workspace;

    private record Run(int exit, String stdout, String stderr) {
    }

    private Run run(Map<String, String> env) throws IOException, InterruptedException {
        String jar = System.getProperty("bridge.jar", "target/claude-bridge.jar");
        assertThat(Path.of(jar)).as("the packaged jar").isRegularFile();
        // In a directory of its own: the bot reads ./.env, and a developer's own in the checkout must not leak in.
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                Path.of(jar).toAbsolutePath().toString()).directory(workspace.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aMissingSettingIsOneLineAndExitCodeTwo() throws Exception {
        Run run = run(Map.of("PATH", System.getenv("PATH")));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr().lines().toList())
                .isEqualTo(List.of("claude-bridge: DISCORD_TOKEN: expected the Discord bot token, or MATTERMOST_URL "
                        + "and MATTERMOST_TOKEN for Mattermost (or both), but neither platform is set"));
    }

    @Test
    void aMalformedSettingNamesTheVariableWithoutAStackTrace() throws Exception {
        Run run = run(Map.of("DISCORD_TOKEN", "x.y.z", "DISCORD_MAIN_CHANNEL_ID", "1", "ALLOWED_USER_IDS", "7",
                "WORKSPACE_ROOT", workspace.toString(), "QUEUE_LIMIT", "lots"));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr().strip())
                .isEqualTo("claude-bridge: QUEUE_LIMIT: expected a whole number from 0 to 1000, got 'lots'");
        assertThat(run.stderr() + run.stdout()).doesNotContain("Exception", "\tat ");
    }
}
