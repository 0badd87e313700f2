package dev.claudebridge.agent.process;

/** The CLI could not be started at all (binary missing, not executable, working directory gone). */
public final class CliStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CliStartException(String message) {
        super(message);
    }
}
