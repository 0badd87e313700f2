package dev.claudebridge.agent.process;

import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A running {@code claude} CLI as a session talks to it: its stdout as lines, its stdin as a line writer, its end.
 * A child process of the bot ({@link CliProcess}) or a CLI in its own pod (the kubernetes runtime) alike.
 */
public interface CliChannel {

    /** How log lines name this CLI ({@code pid 1234}, {@code pod claude-session-…}). */
    String name();

    /** The stdout lines, in order, completing at end of stream. One subscriber. */
    Flux<Line> stdout();

    /** The last lines the CLI wrote to stderr (fatal conditions, and warnings such as settings it ignored). */
    List<String> stderrTail();

    /**
     * Queues one line (a JSON object; a newline is added) for the CLI's stdin. Lines are written whole and in order.
     * Fails with {@link StdinClosedException} when stdin is gone or the bounded queue is full.
     */
    Mono<Void> writeLine(String line);

    /** Closes stdin once everything queued has been written, where the CLI can be given an end of input. */
    void closeStdin();

    /** The exit, once. Cached: every subscriber gets the same value. */
    Mono<ExitStatus> exit();

    /** The session saw a {@code result}: no kill in the next second, the CLI is flushing its transcript. */
    void noteResult();

    /** Stops the CLI within about {@code grace} plus {@code killAfter}, never killing it within a second of a result. */
    Mono<ExitStatus> stop(Duration grace, Duration killAfter);

    /** For a channel whose output waits for its reader (a re-attached pod): the output may start now. */
    default void startOutput() {
    }

    /**
     * Lets the CLI run on without the bot: stops reading and writing, stops nothing. False when the CLI cannot
     * outlive the bot (a child process).
     */
    default boolean detach() {
        return false;
    }
}
