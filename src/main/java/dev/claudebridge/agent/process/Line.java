package dev.claudebridge.agent.process;

/** One line of a CLI's output, without its newline. */
public sealed interface Line {

    /** A line within the cap. */
    record Complete(String text) implements Line {
    }

    /** A line over the cap: only its head was kept; {@code totalBytes} is its full length. */
    record Oversized(String head, long totalBytes) implements Line {
    }
}
