package dev.claudebridge.agent.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.process.CliCommand;
import dev.claudebridge.agent.process.CliProcess;
import dev.claudebridge.agent.process.CliStartException;
import dev.claudebridge.agent.process.ExitStatus;
import dev.claudebridge.agent.process.Line;
import dev.claudebridge.agent.process.ProcessLimits;
import dev.claudebridge.agent.protocol.CliEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * What the real CLI cannot be made to do (docs/architecture.md §2): ignore SIGTERM, print an oversized line, die at
 * start. Tiny shell scripts in {@code src/test/resources/fakecli} stand in for it here, and only here.
 */
@Timeout(60)
final class FakeCliTest {

    private static final Path SCRIPTS = Path.of("src", "test", "resources", "fakecli").toAbsolutePath();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;

    private CliFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new CliFixture(root, "http://127.0.0.1:9");
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void aCliThatIgnoresSigtermIsKilledWithItsChildAndNothingIsLeft() throws Exception {
        CliCommand command = fixture.script(SCRIPTS.resolve("ignore-sigterm.sh"));
        CliProcess process = CliProcess.start(command, ProcessLimits.DEFAULT, fixture.startScheduler,
                Clock.systemUTC()).block(WAIT);
        String first = process.stdout().next().map(l -> ((Line.Complete) l).text()).block(WAIT);
        long child = new ObjectMapper().readTree(first).path("child").asLong();
        assertThat(ProcessHandle.of(child)).isPresent();

        ExitStatus status = process.stop(Duration.ofMillis(300), Duration.ofMillis(300)).block(WAIT);

        assertThat(status.sentByUs()).contains(ExitStatus.Signal.SIGKILL);
        assertThat(status.describe()).contains("SIGKILL");
        // The SIGKILL is sent; the child (re-parented when the script died) ends as soon as the kernel reaps it.
        for (long pid : new long[] {process.pid(), child}) {
            ProcessHandle.of(pid).ifPresent(h -> assertThat(h.onExit()).succeedsWithin(Duration.ofSeconds(10)));
        }
    }

    @Test
    void processStartRunsOnTheNamedStartScheduler() {
        AtomicReference<String> thread = new AtomicReference<>();
        CliCommand command = fixture.script(SCRIPTS.resolve("exit-at-start.sh"));
        CliProcess process = CliProcess.start(command, ProcessLimits.DEFAULT, fixture.startScheduler,
                        Clock.systemUTC())
                .doOnNext(p -> thread.set(Thread.currentThread().getName()))
                .block(WAIT);
        assertThat(thread.get()).startsWith("cli-start");
        StepVerifier.create(process.exit()).assertNext(s -> assertThat(s.value()).isEqualTo(3)).verifyComplete();
    }

    @Test
    void aCliThatDiesAtStartFailsItsTurnWithStatusAndStderr() {
        ClaudeSession session = fixture.launcher.start(fixture.script(SCRIPTS.resolve("exit-at-start.sh")))
                .block(WAIT);
        StepVerifier.create(session.send("hello"))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(CliExitedException.class)
                            .hasMessageContaining("exited with status 3")
                            .hasMessageContaining("Error: something is badly wrong");
                    assertThat(((CliExitedException) e).status().value()).isEqualTo(3);
                })
                .verify(WAIT);
        StepVerifier.create(session.exit()).assertNext(s -> assertThat(s.describe()).isEqualTo("exited with status 3"))
                .verifyComplete();
        assertThat(session.process().stderrTail()).containsExactly("Error: something is badly wrong");
    }

    @Test
    void aMissingBinaryIsAClearStartFailure() {
        CliCommand command = fixture.script(root.resolve("no-such-claude"));
        StepVerifier.create(fixture.launcher.start(command))
                .expectError(CliStartException.class)
                .verify(WAIT);
    }

    @Test
    void anOversizedPermissionRequestIsDeniedWithAReasonAndTheStreamGoesOn() {
        ProcessLimits small = new ProcessLimits(8192, 16);
        ClaudeLauncher launcher = new ClaudeLauncher(new ObjectMapper(), small, fixture.startScheduler,
                Clock.systemUTC(), Duration.ofSeconds(5));
        ClaudeSession session = launcher.start(fixture.script(SCRIPTS.resolve("oversized-permission.sh"))).block(WAIT);
        Mono<CliEvent.Oversized> oversized = session.events().ofType(CliEvent.Oversized.class).next().cache();
        Mono<CliEvent.SystemStatus> after = session.events().ofType(CliEvent.SystemStatus.class).next().cache();
        oversized.subscribe();
        after.subscribe();

        CliEvent.Oversized line = oversized.block(WAIT);
        assertThat(line.type()).isEqualTo("control_request");
        assertThat(line.subtype()).contains("can_use_tool");
        assertThat(line.requestId()).contains("big-1");
        assertThat(line.bytes()).isGreaterThan(20_000);
        assertThat(after.block(WAIT)).isNotNull();
        StepVerifier.create(session.exit()).expectNextCount(1).verifyComplete();
        assertThat(String.join("\n", session.process().stderrTail()))
                .contains("\"request_id\":\"big-1\"", "\"behavior\":\"deny\"", "too large");
    }
}
