package dev.claudebridge.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.process.CliCommand;
import dev.claudebridge.agent.process.CliEnvironment;
import dev.claudebridge.agent.process.ProcessMemory;
import dev.claudebridge.agent.process.ProcessLimits;
import dev.claudebridge.agent.session.ClaudeLauncher;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.AgentSession;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.SessionMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** The {@code claude} CLI as the core's agent: the one public entry point of the agent adapter. */
public final class ClaudeAgentRuntime implements AgentRuntime {

    private static final Logger stderrLog = LoggerFactory.getLogger("dev.claudebridge.agent.stderr");
    /** 2.1.332: "Ignoring 2 permissions.allow entries from .claude/settings.json: this workspace has not been trusted…" */
    static final Pattern SETTINGS_IGNORED = Pattern.compile(
            "^Ignoring .* from \\S*settings[^:]*:|has not been trusted", Pattern.CASE_INSENSITIVE);

    private final ClaudeLauncher launcher;
    private final ObjectMapper mapper;
    private final String binary;
    private final Map<String, String> environment;
    private final Path configDir;
    private final StopTimes stopTimes;
    private final Scheduler startScheduler;
    private final SessionMetrics metrics;
    private final Set<Long> livePids = ConcurrentHashMap.newKeySet();

    /** The stop sequence of docs/architecture.md §3.4. */
    public record StopTimes(Duration interruptWait, Duration grace, Duration killAfter) {
    }

    public ClaudeAgentRuntime(BridgeConfig config, ObjectMapper mapper, Scheduler startScheduler, Clock clock) {
        this(config, mapper, startScheduler, clock, SessionMetrics.NONE);
    }

    public ClaudeAgentRuntime(BridgeConfig config, ObjectMapper mapper, Scheduler startScheduler, Clock clock,
            SessionMetrics metrics) {
        this.mapper = mapper;
        this.startScheduler = startScheduler;
        this.metrics = metrics;
        this.binary = config.claudeBin();
        this.configDir = config.claudeConfigDir();
        Path tmp = config.dataDir().resolve("claude-tmp");
        try {
            Files.createDirectories(configDir);
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + configDir + " or " + tmp, e);
        }
        this.environment = CliEnvironment.build(config.environment(), config.claudeEnvPassthrough(), configDir, tmp);
        this.stopTimes = new StopTimes(config.interruptWait(), config.stopGrace(), config.killAfter());
        this.launcher = new ClaudeLauncher(mapper, new ProcessLimits(config.maxLineBytes(), 256), startScheduler,
                clock, Duration.ofSeconds(30));
    }

    @Override
    public Mono<AgentSession> start(Spec spec) {
        CliCommand command = CliCommand.of(binary, spec.workDir(), environment);
        command = spec.model().map(command::withModel).orElse(command);
        command = spec.resumeId().map(command::withResume).orElse(command);
        return launcher.start(command, line -> stderrLine(spec.threadId(), line))
                .map(session -> track(new ClaudeAgentSession(session, mapper, stopTimes)));
    }

    /** A started CLI counts for {@link #residentBytes()} until its process exits. */
    private AgentSession track(ClaudeAgentSession session) {
        long pid = session.pid();
        livePids.add(pid);
        session.exit().subscribe(exit -> livePids.remove(pid), e -> livePids.remove(pid));
        return session;
    }

    /**
     * The resident memory of each CLI process running now, in bytes (its own, not its tools' children). Reads
     * {@code /proc}: call it where blocking is allowed, such as the {@code ops} scheduler during a scrape.
     */
    public List<Long> residentBytes() {
        return livePids.stream().map(ProcessMemory::residentBytes).filter(OptionalLong::isPresent)
                .map(OptionalLong::getAsLong).toList();
    }

    @Override
    public Mono<AgentVersion> version() {
        return CliVersionCheck.run(binary, environment, startScheduler);
    }

    /**
     * The CLI writes to stderr only what an operator should see: fatal errors, and warnings such as settings it
     * ignored (2.1.332 skips {@code permissions.allow} of an untrusted workspace and says so). Each line is logged at
     * WARN with the session's thread; an ignored-settings line is also counted.
     */
    private void stderrLine(String threadId, String line) {
        stderrLog.atWarn().addKeyValue("thread", threadId).log("CLI stderr: {}", line);
        if (SETTINGS_IGNORED.matcher(line).find()) {
            metrics.cliSettingsIgnored();
        }
    }

    /** The CLI keeps each conversation as {@code projects/<cwd slug>/<id>.jsonl} under its config directory. */
    @Override
    public Mono<Boolean> canResume(String sessionId) {
        return Mono.fromCallable(() -> transcriptExists(sessionId)).subscribeOn(startScheduler);
    }

    private boolean transcriptExists(String sessionId) {
        Path projects = configDir.resolve("projects");
        if (!Files.isDirectory(projects)) {
            return false;
        }
        try (Stream<Path> dirs = Files.list(projects)) {
            return dirs.anyMatch(dir -> Files.isRegularFile(dir.resolve(sessionId + ".jsonl")));
        } catch (IOException e) {
            return false;
        }
    }
}
