package dev.claudebridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's start-up checks, as an operator meets them: each missing or wrong piece (the CLI, the model
 * credentials, a line of {@code ./.env}) is one line on stderr naming the setting, all of them before exiting with
 * code 2, and nothing starts. The settings come from {@code ./.env} in the bot's working directory, under the
 * environment.
 */
final class StartupChecksIT {

    private static final String NO_CREDENTIALS = "claude-bridge: ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN: "
            + "expected the CLI's model credentials (an Anthropic API key, or a token from 'claude setup-token'), "
            + "but neither is set";

    @TempDir
    Path dir;

    private record Run(int exit, String stdout, List<String> stderr) {
    }

    /** The jar in {@code dir} (where it looks for .env) with exactly {@code env} as its environment. */
    private Run run(Map<String, String> env) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("bridge.jar", "target/claude-bridge.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged jar").isRegularFile();
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
                .directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8),
                Files.readAllLines(dir.resolve("stderr.txt"), StandardCharsets.UTF_8));
    }

    /** Every setting but the CLI and its credentials, as ./.env lines (the required ones the bot has no default for). */
    private void writeEnvFile(String... extraLines) throws IOException {
        StringBuilder text = new StringBuilder("""
                # settings of a test run
                DISCORD_TOKEN=MTExMTExMTExMTExMTExMTEx.fake.secret
                DISCORD_API_BASE_URL=http://127.0.0.1:9/api/v10
                DISCORD_MAIN_CHANNEL_ID=300000000000000001
                export ALLOWED_USER_IDS="400000000000000001"
                OPS_PORT=0
                """);
        for (String line : extraLines) {
            text.append(line).append('\n');
        }
        Files.writeString(dir.resolve(".env"), text);
    }

    private static Map<String, String> shell(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("PATH", System.getenv("PATH"), "HOME", System.getenv("HOME")));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void aMissingCliAndMissingCredentialsAreTwoLinesThenExitCodeTwo() throws Exception {
        writeEnvFile();
        Path missing = dir.resolve("no-claude-here");
        Run run = run(shell("CLAUDE_BIN", missing.toString()));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).containsExactly(
                "claude-bridge: CLAUDE_BIN: cannot run '" + missing + "' (No such file or directory); install the "
                        + "pinned CLI with ./mvnw package (into tools/), or set CLAUDE_BIN to a claude CLI",
                NO_CREDENTIALS);
        assertThat(run.stdout()).doesNotContain("ops endpoint on port", "session store open", "logged in",
                "Exception", "\tat ");
        // WORKSPACE_ROOT was not set: its default was made under DATA_DIR's default, ./data, before the checks.
        assertThat(dir.resolve("data/workspace")).isDirectory();
    }

    @Test
    void thePinnedCliWithoutCredentialsIsOneLine() throws Exception {
        writeEnvFile("CLAUDE_BIN=" + claude(), "ANTHROPIC_API_KEY=");
        Run run = run(shell());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).containsExactly(NO_CREDENTIALS);
    }

    /** The environment wins over ./.env: a bad value there stops start-up although the file's value is good. */
    @Test
    void theEnvironmentWinsOverTheEnvFile() throws Exception {
        writeEnvFile("QUEUE_LIMIT=3", "CLAUDE_BIN=" + claude(), "ANTHROPIC_API_KEY=sk-ant-dummy");
        Run run = run(shell("QUEUE_LIMIT", "lots"));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr())
                .containsExactly("claude-bridge: QUEUE_LIMIT: expected a whole number from 0 to 1000, got 'lots'");
    }

    /** A malformed line of ./.env names the file and the line number, never the line (it may hold a secret). */
    @Test
    void aMalformedEnvFileLineIsNamedByNumber() throws Exception {
        writeEnvFile("sk-ant-api03-pasted-on-its-own-line");
        Run run = run(shell());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).containsExactly("claude-bridge: .env line 7: expected NAME=value (a name of "
                + "letters, digits and _, then =), or a comment starting with #");
        assertThat(run.stdout() + run.stderr()).doesNotContain("sk-ant-api03");
    }

    private static String claude() {
        Path cli = Path.of(System.getProperty("claude.bin", "tools/node_modules/.bin/claude")).toAbsolutePath();
        assertThat(cli).as("the pinned CLI").isExecutable();
        return cli.toString();
    }
}
