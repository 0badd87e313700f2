package dev.claudebridge.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.process.BotSettings;
import dev.claudebridge.agent.process.CliCommand;
import dev.claudebridge.agent.process.CliEnvironment;
import dev.claudebridge.agent.process.CliProcess;
import dev.claudebridge.agent.process.CliStartException;
import dev.claudebridge.agent.process.Orphans;
import dev.claudebridge.agent.process.ProcessMemory;
import dev.claudebridge.agent.process.ProcessLimits;
import dev.claudebridge.agent.session.ClaudeLauncher;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.AgentSession;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.ChildLedger;
import dev.claudebridge.core.port.Resumability;
import dev.claudebridge.core.port.SessionFiles;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** The {@code claude} CLI as the core's agent: the one public entry point of the agent adapter. */
public final class ClaudeAgentRuntime implements AgentRuntime {

    private static final Logger log = LoggerFactory.getLogger(ClaudeAgentRuntime.class);
    private static final Logger stderrLog = LoggerFactory.getLogger("dev.claudebridge.agent.stderr");
    /** 2.1.332: "Ignoring 2 permissions.allow entries from .claude/settings.json: this workspace has not been trusted…" */
    static final Pattern SETTINGS_IGNORED = Pattern.compile(
            "^Ignoring .* from \\S*settings[^:]*:|has not been trusted", Pattern.CASE_INSENSITIVE);

    private final ClaudeLauncher launcher;
    private final ObjectMapper mapper;
    private final String binary;
    private final Map<String, String> environment;
    private final Path configDir;
    private final String settings;
    private final boolean bypassAllowed;
    private final Path workspaceRoot;
    private final StopTimes stopTimes;
    private final Scheduler startScheduler;
    private final SessionMetrics metrics;
    private final ChildLedger ledger;
    /** Shared with the runtimes made by {@link #recordingChildrenIn}: one set of live CLIs. */
    private final Set<Long> livePids;

    /** The stop sequence of docs/architecture.md §3.4. */
    public record StopTimes(Duration interruptWait, Duration grace, Duration killAfter) {
    }

    public ClaudeAgentRuntime(BridgeConfig config, ObjectMapper mapper, Scheduler startScheduler, Clock clock) {
        this(config, mapper, startScheduler, clock, SessionMetrics.NONE);
    }

    public ClaudeAgentRuntime(BridgeConfig config, ObjectMapper mapper, Scheduler startScheduler, Clock clock,
            SessionMetrics metrics) {
        this.ledger = ChildLedger.NONE;
        this.livePids = ConcurrentHashMap.newKeySet();
        this.mapper = mapper;
        this.startScheduler = startScheduler;
        this.metrics = metrics;
        this.binary = config.claudeBin();
        this.configDir = config.claudeConfigDir();
        Path tmp = config.cliTmpDir();
        try {
            Files.createDirectories(configDir);
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + configDir + " or " + tmp, e);
        }
        this.bypassAllowed = config.allowBypassPermissions();
        this.settings = BotSettings.json(mapper, config.dataDir(), configDir, bypassAllowed);
        this.workspaceRoot = config.workspaceRoot();
        this.environment = CliEnvironment.build(config.environment(), config.claudeEnvPassthrough(), configDir, tmp);
        this.stopTimes = new StopTimes(config.interruptWait(), config.stopGrace(), config.killAfter());
        this.launcher = new ClaudeLauncher(mapper, new ProcessLimits(config.maxLineBytes(), 256), startScheduler,
                clock, Duration.ofSeconds(30));
    }

    private ClaudeAgentRuntime(ClaudeAgentRuntime runtime, ChildLedger ledger) {
        this.launcher = runtime.launcher;
        this.mapper = runtime.mapper;
        this.binary = runtime.binary;
        this.environment = runtime.environment;
        this.configDir = runtime.configDir;
        this.settings = runtime.settings;
        this.bypassAllowed = runtime.bypassAllowed;
        this.workspaceRoot = runtime.workspaceRoot;
        this.stopTimes = runtime.stopTimes;
        this.startScheduler = runtime.startScheduler;
        this.metrics = runtime.metrics;
        this.ledger = ledger;
        this.livePids = runtime.livePids;
    }

    /**
     * The working directory as it resolves now, checked again before every start (not only when the session was
     * made): a link swapped since then must not move the CLI out of {@code WORKSPACE_ROOT}. The CLI starts in the
     * resolved directory, so the link cannot move under it afterwards either.
     */
    private Path confined(Path workDir) throws IOException {
        Path root = workspaceRoot.toRealPath();
        Path dir;
        try {
            dir = workDir.toRealPath();
        } catch (IOException e) {
            throw new CliStartException("the working directory " + workDir + " is gone; the CLI was not started");
        }
        if (!dir.startsWith(root) || !Files.isDirectory(dir)) {
            throw new CliStartException("the working directory " + workDir + " now resolves to " + dir
                    + ", outside WORKSPACE_ROOT; the CLI was not started");
        }
        return dir;
    }

    /**
     * This runtime, recording every CLI it starts in {@code ledger} until it ends, so that {@link #stopLeftovers()}
     * of the next run finds those a crash left behind. (The version check runs before the store is open; this is
     * the second step of wiring.)
     */
    public ClaudeAgentRuntime recordingChildrenIn(ChildLedger ledger) {
        return new ClaudeAgentRuntime(this, ledger);
    }

    /** Files in the working directories on this machine's disk, read and written on the start scheduler. */
    @Override
    public SessionFiles files() {
        return new LocalSessionFiles(workspaceRoot, startScheduler);
    }

    @Override
    public Mono<AgentSession> start(Spec spec) {
        Mono<ClaudeAgentSession> started = Mono.fromCallable(() -> confined(spec.workDir()))
                .subscribeOn(startScheduler) // resolving links reads the disk
                .flatMap(dir -> {
                    CliCommand command = CliCommand.of(binary, dir, environment).withSettings(settings);
                    command = spec.model().map(command::withModel).orElse(command);
                    command = spec.resumeId().map(command::withResume).orElse(command);
                    command = spec.permissionMode().map(command::withPermissionMode).orElse(command);
                    command = bypassAllowed ? command.withBypassAllowed() : command;
                    return launcher.start(command, line -> stderrLine(spec.threadId(), line));
                })
                .map(session -> new ClaudeAgentSession(session, mapper, stopTimes))
                .doOnNext(agent -> agent.childProcess().ifPresent(child -> track(spec, agent, child)));
        if (spec.resumeId().isEmpty()) {
            return started.cast(AgentSession.class);
        }
        // A resume is only handed over once the CLI took the conversation up: a refusal must not cost a prompt.
        return started.flatMap(agent -> agent.ready().thenReturn((AgentSession) agent)
                .onErrorResume(e -> agent.exit().then(Mono.error(e))));
    }

    /**
     * Keeps the CLI in the ledger while it lives (the removal waits for the entry's write, so a CLI that ends at once
     * is never left recorded; a failed write is logged and costs the session nothing), and counts it for
     * {@link #residentBytes()} until its process exits.
     */
    private void track(Spec spec, ClaudeAgentSession agent, CliProcess child) {
        long livePid = child.pid();
        livePids.add(livePid);
        agent.exit().subscribe(exit -> livePids.remove(livePid), e -> livePids.remove(livePid));
        child.startedAt().ifPresent(at -> {
            long pid = child.pid();
            Mono<Void> recorded = ledger.started(new ChildLedger.Child(spec.platform(), spec.threadId(), pid, at))
                    .onErrorResume(e -> ledgerFailed(spec, "record", e))
                    .cache();
            recorded.subscribe();
            agent.exit().then(recorded).then(Mono.defer(() -> ledger.ended(pid)))
                    .onErrorResume(e -> ledgerFailed(spec, "remove", e))
                    .subscribe();
        });
    }

    private static Mono<Void> ledgerFailed(Spec spec, String what, Throwable error) {
        log.atWarn().addKeyValue("thread", spec.threadId()).log("could not {} the CLI's pid: {}", what,
                error.toString());
        return Mono.empty();
    }

    /**
     * The CLIs a crashed run left behind, found by pid and OS start time (a stranger that reused a pid is left
     * alone), are stopped; the ledger is emptied of every entry of the earlier run.
     */
    @Override
    public Mono<Integer> stopLeftovers() {
        return ledger.all().collectList().flatMap(children -> Mono.fromCallable(() -> Orphans.stop(children.stream()
                                .map(c -> new Orphans.Child(c.pid(), c.startedAt())).toList(), stopTimes.killAfter()))
                        .subscribeOn(startScheduler)
                        .flatMap(stopped -> Flux.fromIterable(children)
                                .concatMap(c -> ledger.ended(c.pid()))
                                .then(Mono.just(stopped.size()))));
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
    public Mono<Resumability> resumability(String conversationId) {
        return Mono.fromCallable(() -> transcriptCheck(conversationId)).subscribeOn(startScheduler);
    }

    private Resumability transcriptCheck(String conversationId) {
        Path projects = configDir.resolve("projects");
        if (!Files.isDirectory(projects)) {
            return Resumability.impossible("the CLI has kept no conversation in its config directory");
        }
        try (Stream<Path> dirs = Files.list(projects)) {
            return dirs.anyMatch(dir -> Files.isRegularFile(dir.resolve(conversationId + ".jsonl")))
                    ? Resumability.POSSIBLE : Resumability.impossible("its transcript was not found");
        } catch (IOException e) {
            return Resumability.impossible("its transcript could not be looked up: " + e.getMessage());
        }
    }
}
