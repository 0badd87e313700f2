package dev.claudebridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.AgentSession;
import dev.claudebridge.core.port.ChildLedger;
import dev.claudebridge.core.port.ResumeRefused;
import dev.claudebridge.core.port.Resumability;
import dev.claudebridge.core.session.InMemoryChildLedger;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The agent adapter's own bookkeeping with the real pinned CLI: every CLI it starts is in the child ledger while it
 * lives; a conversation it cannot resume is reported with the reason, before a start (no transcript) or by the start
 * itself (the CLI refuses); and the leftovers of a crashed run are stopped by pid and start time, strangers spared.
 */
@Timeout(120)
final class ClaudeAgentRuntimeTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private FakeAnthropicApi api;
    private Scheduler starts;
    private final InMemoryChildLedger ledger = new InMemoryChildLedger();
    private ClaudeAgentRuntime runtime;
    private final List<Process> strangers = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        api = FakeAnthropicApi.start();
        starts = Schedulers.newBoundedElastic(2, 100, "cli-start");
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", Files.createDirectories(root.resolve("home")).toString());
        env.put("LANG", "C.UTF-8");
        env.put("DISCORD_TOKEN", "unused");
        env.put("DISCORD_MAIN_CHANNEL_ID", "1");
        env.put("ALLOWED_USER_IDS", "1");
        env.put("WORKSPACE_ROOT", Files.createDirectories(root.resolve("workspace")).toString());
        env.put("DATA_DIR", root.resolve("data").toString());
        env.put("CLAUDE_BIN", Path.of(System.getProperty("claude.bin", "tools/node_modules/.bin/claude"))
                .toAbsolutePath().toString());
        env.put("ANTHROPIC_BASE_URL", api.baseUrl());
        env.put("ANTHROPIC_API_KEY", "sk-ant-dummy");
        env.put("CLAUDE_CODE_MAX_RETRIES", "1");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("CLAUDE_ENV_PASSTHROUGH", "CLAUDE_CODE_MAX_RETRIES,CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC");
        env.put("INTERRUPT_WAIT", "2s");
        env.put("STOP_GRACE", "5s");
        env.put("KILL_AFTER", "2s");
        runtime = new ClaudeAgentRuntime(BridgeConfig.fromEnv(env), new ObjectMapper(), starts, Clock.systemUTC())
                .recordingChildrenIn(ledger);
        api.on(Match.any(), Reply.text("Noted."));
    }

    @AfterEach
    void stop() {
        strangers.forEach(Process::destroyForcibly);
        api.close();
        starts.dispose();
    }

    private AgentRuntime.Spec spec(Optional<String> resume) {
        return new AgentRuntime.Spec("discord", "t-1", root.resolve("workspace"), Optional.empty(), resume);
    }

    @Test
    void aCliIsInTheLedgerWhileItLivesAndLeavesItWhenItEnds() {
        AgentSession agent = runtime.start(spec(Optional.empty())).block(WAIT);
        assertThat(agent).isNotNull();
        await().atMost(WAIT).until(() -> ledger.all().collectList().block(WAIT).size() == 1);
        ChildLedger.Child child = ledger.all().blockFirst(WAIT);
        assertThat(child.platform()).isEqualTo("discord");
        assertThat(child.threadId()).isEqualTo("t-1");
        ProcessHandle process = ProcessHandle.of(child.pid()).orElseThrow();
        assertThat(process.info().startInstant()).isPresent();

        agent.stop().block(WAIT);
        await().atMost(WAIT).until(() -> ledger.all().collectList().block(WAIT).isEmpty());
        assertThat(process.isAlive()).isFalse();
    }

    @Test
    void aConversationIsResumableOnlyOnceTheCliKeptItAndAnUnknownOneIsRefusedWithTheReason() {
        String unknown = UUID.randomUUID().toString();
        assertThat(runtime.resumability(unknown).block(WAIT).obstacle())
                .as("a fresh config directory keeps nothing").isPresent();

        AgentSession agent = runtime.start(spec(Optional.empty())).block(WAIT);
        agent.send("remember this").block(WAIT);
        String kept = agent.conversationId().orElseThrow();
        agent.stop().block(WAIT);
        assertThat(runtime.resumability(kept).block(WAIT)).isEqualTo(Resumability.POSSIBLE);
        assertThat(runtime.resumability(unknown).block(WAIT))
                .isEqualTo(Resumability.impossible("its transcript was not found"));

        // Asked anyway (the transcript vanished between the check and the start), the CLI itself refuses.
        Throwable refused = runtime.start(spec(Optional.of(unknown)))
                .map(a -> (Throwable) new AssertionError("started"))
                .onErrorResume(e -> reactor.core.publisher.Mono.just(e))
                .block(WAIT);
        assertThat(refused).isInstanceOf(ResumeRefused.class).hasMessage("the CLI found no such conversation");
        await().atMost(WAIT).until(() -> ledger.all().collectList().block(WAIT).isEmpty());

        AgentSession resumed = runtime.start(spec(Optional.of(kept))).block(WAIT);
        resumed.send("and now?").block(WAIT);
        assertThat(api.requests().getLast().body().path("messages").toString())
                .as("the resumed CLI sent the earlier conversation").contains("remember this");
        resumed.stop().block(WAIT);
    }

    @Test
    void leftoversOfACrashedRunAreStoppedAndAProcessThatReusedAPidIsSpared() throws Exception {
        Process leftover = stranger();
        Process reusedPid = stranger();
        Instant leftoverStart = leftover.toHandle().info().startInstant().orElseThrow();
        ledger.started(new ChildLedger.Child("discord", "t-1", leftover.pid(), leftoverStart)).block(WAIT);
        // Stored with another start time: the pid now belongs to someone else.
        ledger.started(new ChildLedger.Child("discord", "t-2", reusedPid.pid(), leftoverStart.minusSeconds(3600)))
                .block(WAIT);

        assertThat(runtime.stopLeftovers().block(WAIT)).isEqualTo(1);

        assertThat(leftover.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(reusedPid.isAlive()).isTrue();
        assertThat(ledger.all().collectList().block(WAIT)).as("the earlier run's entries are gone").isEmpty();
    }

    @Test
    void aWorkingDirectoryThatNowLeadsOutOfTheWorkspaceStartsNoCli() throws Exception {
        Path outside = Files.createDirectories(root.resolve("outside"));
        Path link = Files.createSymbolicLink(root.resolve("workspace").resolve("project"), outside);

        Throwable refused = runtime.start(new AgentRuntime.Spec("discord", "t-1", link, Optional.empty(),
                        Optional.empty()))
                .map(a -> (Throwable) new AssertionError("started"))
                .onErrorResume(e -> reactor.core.publisher.Mono.just(e))
                .block(WAIT);

        assertThat(refused).hasMessageContaining("outside WORKSPACE_ROOT").hasMessageContaining(outside.toString());
        assertThat(ledger.all().collectList().block(WAIT)).as("no CLI was started").isEmpty();
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void theCliGetsTheBotsOwnSettingsAndStartsInTheResolvedDirectory() throws Exception {
        Path real = Files.createDirectories(root.resolve("workspace").resolve("real"));
        Path link = Files.createSymbolicLink(root.resolve("workspace").resolve("alias"), real);
        AgentSession agent = runtime.start(new AgentRuntime.Spec("discord", "t-1", link, Optional.empty(),
                Optional.empty())).block(WAIT);
        await().atMost(WAIT).until(() -> ledger.all().collectList().block(WAIT).size() == 1);
        ProcessHandle process = ProcessHandle.of(ledger.all().blockFirst(WAIT).pid()).orElseThrow();
        String cmdline = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "cmdline"));
        assertThat(cmdline).contains("--settings\0{\"permissions\":{\"deny\":[");
        assertThat(Files.readSymbolicLink(Path.of("/proc", String.valueOf(process.pid()), "cwd")))
                .isEqualTo(real.toRealPath());
        agent.stop().block(WAIT);
    }

    private Process stranger() throws Exception {
        Process p = new ProcessBuilder("sleep", "300").start();
        strangers.add(p);
        return p;
    }
}
