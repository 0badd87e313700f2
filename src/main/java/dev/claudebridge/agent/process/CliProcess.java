package dev.claudebridge.agent.process;

import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import dev.claudebridge.agent.process.ExitStatus.Signal;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One running {@code claude} CLI. NuProcess serves every process from a few pump threads; this class turns its
 * callbacks into a Flux of stdout lines, a bounded serialized stdin writer and one {@link ExitStatus}, and stops the
 * process (and whatever it started) by the escalation of docs/architecture.md §3.4.
 */
public final class CliProcess implements CliChannel {

    private static final Logger log = LoggerFactory.getLogger(CliProcess.class);
    private static final Logger stderrLog = LoggerFactory.getLogger("dev.claudebridge.agent.stderr");

    static {
        // NuProcess learns of an exit by polling waitpid every 250 ms by default; 100 ms (its minimum) brings a dead
        // CLI's ExitStatus to the thread about 150 ms sooner (BENCHMARKS.md). Set before NuProcess loads.
        if (System.getProperty("com.zaxxer.nuprocess.deadPoolPollMs") == null) {
            System.setProperty("com.zaxxer.nuprocess.deadPoolPollMs", "100");
        }
    }

    /** §3.4: the CLI flushes its transcript every 100 ms; a SIGKILL right after a result can lose the session. */
    static final Duration NO_KILL_AFTER_RESULT = Duration.ofSeconds(1);

    private final NuProcess process;
    private final ProcessPump pump;
    private final Clock clock;
    private final Optional<Instant> startedAt;
    private final Set<ProcessHandle> signalled = ConcurrentHashMap.newKeySet();
    private volatile Instant lastResultAt = Instant.EPOCH;

    private CliProcess(NuProcess process, ProcessPump pump, Clock clock) {
        this.process = process;
        this.pump = pump;
        this.clock = clock;
        this.startedAt = ProcessHandle.of(process.getPID()).flatMap(h -> h.info().startInstant());
    }

    /**
     * Starts the CLI on {@code startScheduler} (fork and exec block briefly). Fails with {@link CliStartException}
     * when the process cannot be started.
     */
    public static Mono<CliProcess> start(CliCommand command, ProcessLimits limits, Scheduler startScheduler,
            Clock clock) {
        return start(command, limits, startScheduler, clock, line -> stderrLog.warn("{}", line));
    }

    /** As {@link #start(CliCommand, ProcessLimits, Scheduler, Clock)}, each stderr line told to {@code stderr}. */
    public static Mono<CliProcess> start(CliCommand command, ProcessLimits limits, Scheduler startScheduler,
            Clock clock, Consumer<String> stderr) {
        return Mono.fromCallable(() -> {
                    if (!Files.isDirectory(command.workingDirectory())) {
                        throw new CliStartException("working directory " + command.workingDirectory()
                                + " does not exist");
                    }
                    ProcessPump pump = new ProcessPump(limits, stderr);
                    NuProcessBuilder builder = new NuProcessBuilder(command.argv(), command.environment());
                    builder.setCwd(command.workingDirectory());
                    builder.setProcessListener(pump);
                    NuProcess process = builder.start();
                    if (process == null || !process.isRunning() && pump.exitedAtStart()) {
                        throw new CliStartException("could not start " + command.binary() + " in "
                                + command.workingDirectory());
                    }
                    log.debug("started {} (pid {})", command.binary(), process.getPID());
                    return new CliProcess(process, pump, clock);
                })
                .subscribeOn(startScheduler);
    }

    @Override
    public String name() {
        return "pid " + process.getPID();
    }

    public int pid() {
        return process.getPID();
    }

    /** When the OS started the process: with the pid it identifies the process across a bot restart. */
    public Optional<Instant> startedAt() {
        return startedAt;
    }

    /** The stdout lines, in order, completing at end of stream. One subscriber. */
    @Override
    public Flux<Line> stdout() {
        return pump.stdout();
    }

    /** The last lines the CLI wrote to stderr (fatal conditions, and warnings such as settings it ignored). */
    @Override
    public List<String> stderrTail() {
        return pump.stderrTail();
    }

    /**
     * Queues one line (a JSON object; a newline is added) for the CLI's stdin. Lines are written whole and in order.
     * Fails with {@link StdinClosedException} after {@link #closeStdin()} or when the bounded queue is full.
     */
    @Override
    public Mono<Void> writeLine(String line) {
        return Mono.fromRunnable(() -> pump.enqueue(line));
    }

    /** Closes stdin once everything queued has been written: the CLI finishes its turn and exits. */
    @Override
    public void closeStdin() {
        pump.requestClose();
    }

    /** The exit, once. Cached: every subscriber gets the same value. */
    @Override
    public Mono<ExitStatus> exit() {
        return pump.exit();
    }

    /** The session saw a {@code result}: no SIGKILL in the next second, the CLI is flushing its transcript. */
    @Override
    public void noteResult() {
        lastResultAt = clock.instant();
    }

    /**
     * Stops the process: close stdin and wait {@code grace}; then SIGTERM it and its descendants and wait
     * {@code killAfter}; then SIGKILL them (never within a second of a result). Descendants that outlive the CLI are
     * killed too, so nothing is left behind.
     */
    @Override
    public Mono<ExitStatus> stop(Duration grace, Duration killAfter) {
        return Mono.fromRunnable(this::closeStdin)
                .then(exit().timeout(grace, Mono.defer(() -> terminate(killAfter))))
                .flatMap(status -> reapStragglers().thenReturn(status));
    }

    private Mono<ExitStatus> terminate(Duration killAfter) {
        return Mono.fromRunnable(() -> signalTree(Signal.SIGTERM))
                .then(exit().timeout(killAfter, Mono.defer(this::kill)));
    }

    private Mono<ExitStatus> kill() {
        Duration sinceResult = Duration.between(lastResultAt, clock.instant());
        Duration wait = sinceResult.compareTo(NO_KILL_AFTER_RESULT) < 0
                ? NO_KILL_AFTER_RESULT.minus(sinceResult) : Duration.ZERO;
        return Mono.delay(wait)
                .then(Mono.fromRunnable(() -> signalTree(Signal.SIGKILL)))
                .then(exit());
    }

    /** Sends a signal to the CLI and to every process below it (captured before the parent can die). */
    public void signalTree(Signal signal) {
        ProcessHandle.of(process.getPID()).ifPresent(self -> self.descendants().forEach(signalled::add));
        pump.noteSignal(signal);
        log.debug("{} to pid {} and {} descendants", signal, process.getPID(), signalled.size());
        for (ProcessHandle child : signalled) {
            if (signal == Signal.SIGKILL) {
                child.destroyForcibly();
            } else {
                child.destroy();
            }
        }
        process.destroy(signal == Signal.SIGKILL);
    }

    /** Descendants that were signalled but are still alive once the CLI is gone are killed. */
    private Mono<Void> reapStragglers() {
        return Mono.fromRunnable(() -> {
            Set<ProcessHandle> alive = signalled.stream().filter(ProcessHandle::isAlive).collect(Collectors.toSet());
            alive.forEach(ProcessHandle::destroyForcibly);
            if (!alive.isEmpty()) {
                log.warn("killed {} leftover child processes of pid {}", alive.size(), process.getPID());
            }
        });
    }
}
