package dev.claudebridge.agent.process;

import java.util.Optional;

/**
 * How a CLI process ended. NuProcess reports one int (an exit code, or the signal number when a signal ended the
 * process), so a signal is only named when the bot sent it; otherwise the value is shown as it is.
 *
 * @param value     the value NuProcess reported; {@link Integer#MIN_VALUE} when the process could not be started
 * @param sentByUs  the last signal the bot sent before the exit, if any
 * @param reason    why the container ended, as Kubernetes says it ({@code OOMKilled}, {@code Error}); empty for a
 *                  child process
 */
public record ExitStatus(int value, Optional<Signal> sentByUs, Optional<String> reason) {

    public static final int START_FAILED = Integer.MIN_VALUE;

    public ExitStatus(int value, Optional<Signal> sentByUs) {
        this(value, sentByUs, Optional.empty());
    }

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
        if (reason.filter("OOMKilled"::equals).isPresent()) {
            return "was killed for running out of memory (OOMKilled: its pod's memory limit), status " + value;
        }
        String said = sentByUs.map(s -> "stopped with " + s + " (sent by the bot), status " + value)
                .orElse("exited with status " + value);
        return reason.filter(r -> !r.equals("Error") && !r.equals("Completed")).map(r -> said + " (" + r + ")")
                .orElse(said);
    }
}
