package dev.claudebridge.agent.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.process.CliCommand;
import dev.claudebridge.agent.process.CliEnvironment;
import dev.claudebridge.agent.process.ProcessLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A per-test world for the real CLI (docs/architecture.md §3.1): its own HOME, config, scratch and working directories
 * under the test's temporary directory (never the repository), a dummy key, one retry, no nonessential traffic.
 */
final class CliFixture implements AutoCloseable {

    static final Duration TURN = Duration.ofSeconds(60);

    final Path home;
    final Path configDir;
    final Path workDir;
    final Scheduler startScheduler = Schedulers.newBoundedElastic(2, 100, "cli-start");
    final ClaudeLauncher launcher;
    private final Map<String, String> environment;

    CliFixture(Path root, String apiBaseUrl) throws IOException {
        home = Files.createDirectories(root.resolve("home"));
        configDir = Files.createDirectories(root.resolve("claude-config"));
        workDir = Files.createDirectories(root.resolve("work"));
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Map<String, String> source = new HashMap<>();
        source.put("PATH", System.getenv("PATH"));
        source.put("HOME", home.toString());
        source.put("LANG", "C.UTF-8");
        source.put("ANTHROPIC_API_KEY", "sk-ant-dummy");
        source.put("ANTHROPIC_BASE_URL", apiBaseUrl);
        source.put("CLAUDE_CODE_MAX_RETRIES", "1");
        source.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        source.put("DISCORD_TOKEN", "must-not-reach-the-cli");
        environment = CliEnvironment.build(source,
                List.of("CLAUDE_CODE_MAX_RETRIES", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"), configDir, tmp);
        launcher = new ClaudeLauncher(new ObjectMapper(), ProcessLimits.DEFAULT, startScheduler, Clock.systemUTC(),
                Duration.ofSeconds(20));
    }

    /** The pinned CLI installed by {@code .ci/run}; a test that needs it fails when it is missing. */
    static String claudeBinary() {
        String bin = System.getProperty("claude.bin", "tools/node_modules/.bin/claude");
        assertThat(Path.of(bin)).as("the pinned claude CLI (run: cd tools && npm ci)").isExecutable();
        return bin;
    }

    CliCommand command() {
        return CliCommand.of(claudeBinary(), workDir, environment);
    }

    CliCommand script(Path script) {
        return CliCommand.of(script.toString(), workDir, environment);
    }

    Map<String, String> environment() {
        return environment;
    }

    @Override
    public void close() {
        startScheduler.dispose();
    }
}
