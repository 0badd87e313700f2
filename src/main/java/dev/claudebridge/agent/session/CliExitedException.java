package dev.claudebridge.agent.session;

import dev.claudebridge.agent.process.ExitStatus;
import java.util.List;

/** The CLI ended while something (a turn, a control request) was waiting for it. */
public final class CliExitedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient ExitStatus status;
    private final List<String> stderrTail;

    public CliExitedException(ExitStatus status, List<String> stderrTail) {
        super("the CLI " + status.describe() + (stderrTail.isEmpty() ? "" : ": " + String.join(" | ", stderrTail)));
        this.status = status;
        this.stderrTail = List.copyOf(stderrTail);
    }

    public ExitStatus status() {
        return status;
    }

    public List<String> stderrTail() {
        return stderrTail;
    }
}
