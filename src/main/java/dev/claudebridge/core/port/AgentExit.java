package dev.claudebridge.core.port;

import java.util.List;

/**
 * How an agent ended, as the thread will say it. It is also the error of a turn cut short by the agent's end.
 *
 * @param description e.g. "exited with status 1"
 * @param clean       exit status 0 and no signal
 * @param stderrTail  the last lines the agent wrote on stderr
 */
public final class AgentExit extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String description;
    private final boolean clean;
    private final List<String> stderrTail;

    public AgentExit(String description, boolean clean, List<String> stderrTail) {
        super(description);
        this.description = description;
        this.clean = clean;
        this.stderrTail = List.copyOf(stderrTail);
    }

    public String description() {
        return description;
    }

    public boolean clean() {
        return clean;
    }

    public List<String> stderrTail() {
        return stderrTail;
    }
}
