package dev.claudebridge.agent;

import dev.claudebridge.config.ConfigException;
import dev.claudebridge.core.port.AgentVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The start-up checks of the embedded agent runtime, the bot's own {@code claude} CLI: it runs {@code claude
 * --version} once and judges it against the versions this build was tested with, and it checks that the CLI gets
 * model credentials. A CLI that cannot be run, or is older than the oldest tested version, and missing credentials
 * each stop start-up with one line naming the setting to fix (all of them together, in one {@link ConfigException},
 * so {@code Main} prints them all and exits with code 2). A version other than the pinned one starts with a warning
 * naming both, logged once and shown by {@code /status}.
 *
 * <p>Only the embedded runtime runs these: they live in {@link ClaudeAgentRuntime#version()}. The Kubernetes agent
 * runtime (docs/architecture.md §3.13, not built yet) is another {@code AgentRuntime}; its pods bring their own CLI and
 * credentials, so it will not call this class, and the bot then needs neither.
 */
final class CliVersionCheck {

    private static final Logger log = LoggerFactory.getLogger(CliVersionCheck.class);
    /** The CLI answers {@code --version} in well under a second; a slow disk or a cold cache gets room. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** The CLI's model credentials; either one will do (the CLI's environment carries them, CliEnvironment). */
    static final List<String> CREDENTIALS = List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN");

    /** The OS's reason, as JDK 21 ({@code error=2, No such file...}) and JDK 25 ({@code error: 2 (No such...)}) say it. */
    private static final Pattern OS_ERROR = Pattern.compile("error=\\d+, ([^\\n]+)|error: \\d+ \\(([^)]+)\\)");

    private CliVersionCheck() {
    }

    /** Runs the checks on {@code scheduler} (spawning and waiting block; the start scheduler allows it). */
    static Mono<AgentVersion> run(String binary, Map<String, String> environment, Scheduler scheduler) {
        return Mono.fromCallable(() -> check(binary, environment))
                .subscribeOn(scheduler)
                .doOnNext(v -> {
                    log.info("claude CLI {} ({})", v.version(), binary);
                    v.warning().ifPresent(log::warn);
                });
    }

    /** The CLI's version, or a {@link ConfigException} with one line for each problem found. */
    static AgentVersion check(String binary, Map<String, String> environment) throws InterruptedException {
        List<String> problems = new ArrayList<>();
        AgentVersion version = null;
        try {
            version = judge(binary, versionOutput(binary, environment));
        } catch (ConfigException e) {
            problems.addAll(e.lines());
        }
        credentialsProblem(environment).ifPresent(problems::add);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return version;
    }

    /** A line when the CLI's environment has none of the {@link #CREDENTIALS} (or only blank ones). */
    static Optional<String> credentialsProblem(Map<String, String> environment) {
        boolean any = CREDENTIALS.stream().map(environment::get).anyMatch(v -> v != null && !v.isBlank());
        return any ? Optional.empty() : Optional.of(String.join(" or ", CREDENTIALS) + ": expected the CLI's model "
                + "credentials (an Anthropic API key, or a token from 'claude setup-token'), but neither is set");
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
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new ConfigException("CLAUDE_BIN: cannot run '" + binary + "' (" + osError(e) + "); install "
                        + "the pinned CLI with ./mvnw package (into tools/), or set CLAUDE_BIN to a claude CLI");
            }
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
            throw new ConfigException("CLAUDE_BIN: cannot check '" + binary + "': " + e.getMessage());
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
                + CliVersion.PINNED + " (Claude Code)')"));
        if (version.olderThan(CliVersion.OLDEST_TESTED)) {
            throw new ConfigException("CLAUDE_BIN: claude CLI " + version + " is older than "
                    + CliVersion.OLDEST_TESTED + ", the oldest version this build was tested with; install "
                    + CliVersion.PINNED + " (npm install @anthropic-ai/claude-code@" + CliVersion.PINNED
                    + ")");
        }
        Optional<String> warning;
        if (version.newerThan(CliVersion.PINNED)) {
            warning = Optional.of("CLI " + version + " is newer than the versions this build was tested with ("
                    + CliVersion.OLDEST_TESTED + " to " + CliVersion.PINNED + ")");
        } else if (version.olderThan(CliVersion.PINNED)) {
            warning = Optional.of("CLI " + version + " is not the pinned " + CliVersion.PINNED + " that this build's "
                    + "tests run (it is within the tested range, " + CliVersion.OLDEST_TESTED + " to "
                    + CliVersion.PINNED + "); cd tools && npm ci installs the pinned one");
        } else {
            warning = Optional.empty();
        }
        return new AgentVersion(version.toString(), warning);
    }

    /** "No such file or directory" out of the JDK's "Cannot run program "x": ..., No such file or directory". */
    private static String osError(IOException e) {
        String message = String.valueOf(e.getMessage()).strip();
        Matcher m = OS_ERROR.matcher(message);
        return m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : firstLine(message);
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("").strip();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
