package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged bot asks its CLI for the version at start-up: one older than the tested range stops it with one line
 * and exit code 2 before anything starts; a newer one starts it with a warning, logged once and shown by
 * {@code /status}. The CLI is a wrapper script that answers {@code --version} itself and runs the pinned CLI
 * otherwise.
 */
@Timeout(180)
final class CliVersionIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    @Test
    void aCliOlderThanTheTestedOnesStopsStartUpWithExitCodeTwo() throws Exception {
        try (FakeDiscord discord = FakeDiscord.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            Map<String, String> env = BotWorld.environment(root, discord, api, Map.of(
                    "CLAUDE_BIN", wrapper("2.0.77 (Claude Code)").toString(), "OPS_PORT", String.valueOf(freePort())));
            Path log = root.resolve("bot.log");
            Path stderr = root.resolve("bot.stderr");
            try (BotProcess bot = BotProcess.start(env, log, stderr)) {
                assertThat(bot.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(bot.process.exitValue()).isEqualTo(2);
            }
            assertThat(Files.readString(stderr)).contains("claude-bridge: CLAUDE_BIN: claude CLI 2.0.77 is older than "
                    + "2.1.197, the oldest version this build was tested with; install 2.1.332");
            assertThat(Files.readString(log)).as("nothing started").doesNotContain("logged in", "session store open", "ops endpoint on port");
        }
    }

    @Test
    void aNewerCliStartsWithAWarningInTheLogAndInStatus() throws Exception {
        try (FakeDiscord discord = FakeDiscord.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            int port = freePort();
            Map<String, String> env = BotWorld.environment(root, discord, api, Map.of(
                    "CLAUDE_BIN", wrapper("2.1.999 (Claude Code)").toString(), "OPS_PORT", String.valueOf(port)));
            Path log = root.resolve("bot.log");
            try (BotProcess bot = BotProcess.start(env, log)) {
                new OpsHttp(port).await("/readyz", a -> a.status() == 200, WAIT);
                String warning = "CLI 2.1.999 is newer than the versions this build was tested with (2.1.197 to "
                        + "2.1.332)";
                assertThat(Files.readAllLines(log).stream().filter(l -> l.contains(warning))).hasSize(1);
                assertThat(Files.readString(log)).contains("claude CLI 2.1.999");

                InteractionRef status = discord.slashCommand(FakeUser.OWNER, discord.ids().mainChannelId(), "status",
                        Map.of());
                String embed = discord.changes()
                        .filter(c -> c instanceof Change.MessageEdited e && e.message().interactionId()
                                .map(status.id()::equals).orElse(false))
                        .map(c -> ((Change.MessageEdited) c).message().embeds().toString())
                        .blockFirst(WAIT);
                assertThat(embed).contains("Claude Code CLI", "2.1.999", warning);
            }
        }
    }

    /** A CLI that says it is {@code version} and is the pinned CLI for everything else. */
    private Path wrapper(String version) throws IOException {
        Path real = Path.of(System.getProperty("claude.bin", "tools/node_modules/.bin/claude")).toAbsolutePath();
        Path script = root.resolve("claude-wrapper.sh");
        Files.writeString(script, "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo '" + version + "'; exit 0; fi\n"
                + "exec '" + real + "' \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
