package dev.claudebridge.agent;

import dev.claudebridge.config.ConfigException;
import dev.claudebridge.core.port.AgentVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Runs {@code claude --version} once at start-up and judges it against the versions this build was tested with: older
 * than the oldest stops start-up (a {@link ConfigException}, so {@code Main} exits with code 2 and one line); newer
 * than the newest starts with a warning, logged once and shown by {@code /status}.
 */
final class CliVersionCheck {

    private static final Logger log = LoggerFactory.getLogger(CliVersionCheck.class);
    /** The CLI answers {@code --version} in well under a second; a slow disk or a cold cache gets room. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private CliVersionCheck() {
    }

    /** Runs the check on {@code scheduler} (spawning and waiting block; the start scheduler allows it). */
    static Mono<AgentVersion> run(String binary, Map<String, String> environment, Scheduler scheduler) {
        return Mono.fromCallable(() -> judge(binary, versionOutput(binary, environment)))
                .subscribeOn(scheduler)
                .doOnNext(v -> {
                    log.info("claude CLI {} ({})", v.version(), binary);
                    v.warning().ifPresent(log::warn);
                });
    }

    /** What the binary's {@code --version} printed, or a {@link ConfigException} saying why there is nothing. */
    private static String versionOutput(String binary, Map<String, String> environment) throws InterruptedException {
        Path out = null;
        try {
            out = Files.createTempFile("claude-version", ".txt");
            ProcessBuilder builder = new ProcessBuilder(List.of(binary, "--version"))
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new ConfigException("CLAUDE_BIN: '" + binary + " --version' did not answer within "
                        + TIMEOUT.toSeconds() + " s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new ConfigException("CLAUDE_BIN: '" + binary + " --version' exited with status "
                        + process.exitValue() + (text.isEmpty() ? "" : ": " + firstLine(text)));
            }
            return text;
        } catch (IOException e) {
            throw new ConfigException("CLAUDE_BIN: cannot run '" + binary + "': " + e.getMessage());
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    log.debug("could not delete {}: {}", out, e.toString());
                }
            }
        }
    }

    /** The verdict on what {@code --version} printed. */
    static AgentVersion judge(String binary, String output) {
        CliVersion version = CliVersion.parse(output).orElseThrow(() -> new ConfigException("CLAUDE_BIN: '" + binary
                + " --version' printed '" + firstLine(output) + "', not a claude CLI version (expected e.g. '"
                + CliVersion.NEWEST_TESTED + " (Claude Code)')"));
        if (version.olderThan(CliVersion.OLDEST_TESTED)) {
            throw new ConfigException("CLAUDE_BIN: claude CLI " + version + " is older than "
                    + CliVersion.OLDEST_TESTED + ", the oldest version this build was tested with; install "
                    + CliVersion.NEWEST_TESTED + " (npm install @anthropic-ai/claude-code@" + CliVersion.NEWEST_TESTED
                    + ")");
        }
        Optional<String> warning = version.newerThan(CliVersion.NEWEST_TESTED)
                ? Optional.of("CLI " + version + " is newer than the versions this build was tested with ("
                        + CliVersion.OLDEST_TESTED + " to " + CliVersion.NEWEST_TESTED + ")")
                : Optional.empty();
        return new AgentVersion(version.toString(), warning);
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("").strip();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
