package dev.claudebridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.config.ConfigException;
import dev.claudebridge.core.port.AgentVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The CLI's version: parsed, judged against the tested range, and that range kept equal to what the tests run. */
final class CliVersionTest {

    private static final Map<String, String> PATH_ONLY = Map.of("PATH", "/usr/bin:/bin");
    private static final Map<String, String> WITH_KEY = Map.of("PATH", "/usr/bin:/bin", "ANTHROPIC_API_KEY",
            "sk-ant-dummy");
    private static final Map<String, String> CREDENTIALS = Map.of("ANTHROPIC_API_KEY", "sk-ant-dummy");

    @TempDir
    Path dir;

    @Test
    void parsesWhatTheCliPrints() {
        assertThat(CliVersion.parse("2.1.332 (Claude Code)")).contains(new CliVersion(2, 1, 332));
        assertThat(CliVersion.parse("  10.0.1\n")).contains(new CliVersion(10, 0, 1));
        assertThat(CliVersion.parse("claude 2.1.3")).isEmpty();
        assertThat(CliVersion.parse("")).isEmpty();
        assertThat(CliVersion.parse("2.1.99999999999 (Claude Code)")).isEmpty();
    }

    @Test
    void ordersByNumberNotByText() {
        assertThat(new CliVersion(2, 1, 40).olderThan(new CliVersion(2, 1, 197))).isTrue();
        assertThat(new CliVersion(2, 10, 0).newerThan(new CliVersion(2, 9, 999))).isTrue();
        assertThat(new CliVersion(3, 0, 0).newerThan(CliVersion.PINNED)).isTrue();
    }

    /** The newest tested version is the pin every real-CLI test runs; the oldest is the one whose transcripts we keep. */
    @Test
    void theTestedRangeIsWhatTheRepositoryTests() throws Exception {
        String pinned = new ObjectMapper().readTree(Path.of("tools", "package.json").toFile())
                .path("dependencies").path("@anthropic-ai/claude-code").asText();
        assertThat(CliVersion.PINNED.toString()).isEqualTo(pinned);
        assertThat(Path.of("src", "test", "resources", "transcripts", "cli-" + CliVersion.OLDEST_TESTED)).isDirectory();
        assertThat(Path.of("src", "test", "resources", "transcripts", "cli-" + CliVersion.PINNED)).isDirectory();
    }

    @Test
    void thePinnedVersionStartsWithoutAWarning() {
        assertThat(CliVersionCheck.judge("claude", "2.1.332 (Claude Code)"))
                .isEqualTo(new AgentVersion("2.1.332", java.util.Optional.empty()));
    }

    /** Older than the pin but still within the tested range: it starts, with a warning naming both versions. */
    @Test
    void anotherVersionInTheTestedRangeStartsWithAWarningNamingBoth() {
        assertThat(CliVersionCheck.judge("claude", "2.1.250 (Claude Code)").warning()).contains("CLI 2.1.250 is not "
                + "the pinned 2.1.332 that this build's tests run (it is within the tested range, 2.1.197 to 2.1.332); "
                + "cd tools && npm ci installs the pinned one");
        assertThat(CliVersionCheck.judge("claude", "2.1.197 (Claude Code)").warning()).hasValueSatisfying(w ->
                assertThat(w).contains("2.1.197", "2.1.332"));
    }

    @Test
    void aNewerVersionStartsWithAWarning() {
        AgentVersion v = CliVersionCheck.judge("claude", "2.1.401 (Claude Code)");
        assertThat(v.version()).isEqualTo("2.1.401");
        assertThat(v.warning()).contains("CLI 2.1.401 is newer than the versions this build was tested with "
                + "(2.1.197 to 2.1.332)");
    }

    @Test
    void anOlderVersionOrSomethingElseStopsStartUpWithOneLine() {
        assertThatThrownBy(() -> CliVersionCheck.judge("/opt/claude", "2.0.77 (Claude Code)"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("CLAUDE_BIN: claude CLI 2.0.77 is older than 2.1.197, the oldest version this build was "
                        + "tested with; install 2.1.332 (npm install @anthropic-ai/claude-code@2.1.332)");
        assertThatThrownBy(() -> CliVersionCheck.judge("/bin/echo", "hello"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'/bin/echo --version' printed 'hello', not a claude CLI version");
    }

    /** The real run: a script as CLAUDE_BIN, spawned on the start scheduler (BlockHound is on: it must be there). */
    @Test
    void runsTheBinaryOnTheStartScheduler() throws Exception {
        Path script = script("echo '2.1.500 (Claude Code)'");
        Scheduler start = Schedulers.newBoundedElastic(1, 10, "cli-start-test");
        try {
            StepVerifier.create(CliVersionCheck.run(script.toString(), WITH_KEY, start))
                    .assertNext(v -> assertThat(v.warning()).isPresent())
                    .expectComplete()
                    .verify(Duration.ofSeconds(30));
            StepVerifier.create(CliVersionCheck.run(script("echo broken >&2; exit 3").toString(),
                            WITH_KEY, start))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ConfigException.class)
                            .hasMessageContaining("exited with status 3: broken"))
                    .verify(Duration.ofSeconds(30));
            StepVerifier.create(CliVersionCheck.run(dir.resolve("missing").toString(), CREDENTIALS, start))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ConfigException.class)
                            .hasMessageStartingWith("CLAUDE_BIN: cannot run"))
                    .verify(Duration.ofSeconds(30));
        } finally {
            start.dispose();
        }
    }

    /** A CLI that is not there: one line naming CLAUDE_BIN, saying why and what to do. */
    @Test
    void aMissingCliIsOneLineNamingClaudeBin() {
        String missing = dir.resolve("no-such-claude").toString();
        assertThatThrownBy(() -> CliVersionCheck.check(missing, WITH_KEY))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).lines()).containsExactly("CLAUDE_BIN: cannot run '"
                        + missing + "' (No such file or directory); install the pinned CLI with ./mvnw package (into "
                        + "tools/), or set CLAUDE_BIN to a claude CLI"));
    }

    @Test
    void aCliThatCannotBeExecutedIsOneLineNamingClaudeBin() throws Exception {
        Path notExecutable = script("echo '2.1.332 (Claude Code)'");
        Files.setPosixFilePermissions(notExecutable, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> CliVersionCheck.check(notExecutable.toString(), WITH_KEY))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).lines()).singleElement().asString()
                        .startsWith("CLAUDE_BIN: cannot run '" + notExecutable + "' (Permission denied)"));
    }

    /** Either credential will do; neither (or a blank one) is one line naming both. */
    @Test
    void missingCredentialsAreOneLineNamingBothSettings() throws Exception {
        String cli = script("echo '2.1.332 (Claude Code)'").toString();
        String line = "ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN: expected the CLI's model credentials (an "
                + "Anthropic API key, or a token from 'claude setup-token'), but neither is set";
        for (Map<String, String> env : List.of(PATH_ONLY, Map.of("PATH", "/usr/bin:/bin", "ANTHROPIC_API_KEY", " "))) {
            assertThatThrownBy(() -> CliVersionCheck.check(cli, env))
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).lines()).containsExactly(line));
        }
        assertThat(CliVersionCheck.check(cli, WITH_KEY).version()).isEqualTo("2.1.332");
        assertThat(CliVersionCheck.check(cli, Map.of("PATH", "/usr/bin:/bin", "CLAUDE_CODE_OAUTH_TOKEN",
                "sk-ant-oat01-x")).version()).isEqualTo("2.1.332");
    }

    /** Several problems at once: every line, the CLI's first, in one exception (Main prints them all, then exits 2). */
    @Test
    void everyProblemIsReportedNotJustTheFirst() throws Exception {
        String old = script("echo '2.0.77 (Claude Code)'").toString();
        assertThatThrownBy(() -> CliVersionCheck.check(old, PATH_ONLY))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).lines()).satisfiesExactly(
                        l -> assertThat(l).startsWith("CLAUDE_BIN: claude CLI 2.0.77 is older than 2.1.197"),
                        l -> assertThat(l).startsWith("ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN: ")));
        assertThatThrownBy(() -> CliVersionCheck.check(dir.resolve("missing").toString(), PATH_ONLY))
                .satisfies(e -> assertThat(((ConfigException) e).lines()).hasSize(2)
                        .allSatisfy(l -> assertThat(l).doesNotContain("\n")));
    }

    @Test
    void aStderrLineAboutIgnoredSettingsIsRecognized() {
        assertThat(ClaudeAgentRuntime.SETTINGS_IGNORED.matcher("Ignoring 2 permissions.allow entries from "
                + ".claude/settings.json: this workspace has not been trusted. Run Claude Code interactively here "
                + "once").find()).isTrue();
        assertThat(ClaudeAgentRuntime.SETTINGS_IGNORED.matcher("Error: something else").find()).isFalse();
    }

    private Path script(String body) throws Exception {
        Path file = Files.createTempFile(dir, "claude", ".sh");
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
