package dev.claudebridge.agent.process;

/** A write to a CLI whose stdin is closed or whose bounded write queue is full. */
public final class StdinClosedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StdinClosedException(String message) {
        super(message);
    }
}
