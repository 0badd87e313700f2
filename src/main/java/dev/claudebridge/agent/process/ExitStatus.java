package dev.claudebridge.agent.process;

import java.util.Optional;

/**
 * How a CLI process ended. NuProcess reports one int (an exit code, or the signal number when a signal ended the
 * process), so a signal is only named when the bot sent it; otherwise the value is shown as it is.
 *
 * @param value     the value NuProcess reported; {@link Integer#MIN_VALUE} when the process could not be started
 * @param sentByUs  the last signal the bot sent before the exit, if any
 */
public record ExitStatus(int value, Optional<Signal> sentByUs) {

    public static final int START_FAILED = Integer.MIN_VALUE;

    public enum Signal { SIGTERM, SIGKILL }

    public boolean startFailed() {
        return value == START_FAILED;
    }

    public boolean success() {
        return value == 0 && sentByUs.isEmpty();
    }

    /** One line for a Discord thread or a log. */
    public String describe() {
        if (startFailed()) {
            return "could not be started";
        }
        return sentByUs.map(s -> "stopped with " + s + " (sent by the bot), status " + value)
                .orElse("exited with status " + value);
    }
}
