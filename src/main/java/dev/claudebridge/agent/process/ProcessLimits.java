package dev.claudebridge.agent.process;

/**
 * Bounds of one CLI's pipes.
 *
 * @param maxLineBytes   the longest stdout line kept whole ({@code MAX_LINE_BYTES}); longer ones are reported
 * @param stdinQueueLines how many lines may wait for the CLI to read them before a write is refused
 */
public record ProcessLimits(int maxLineBytes, int stdinQueueLines) {

    public static final ProcessLimits DEFAULT = new ProcessLimits(8 << 20, 256);

    public ProcessLimits {
        if (maxLineBytes < LineFramer.HEAD_BYTES || stdinQueueLines < 1) {
            throw new IllegalArgumentException("maxLineBytes >= " + LineFramer.HEAD_BYTES + " and stdinQueueLines >= 1");
        }
    }
}
