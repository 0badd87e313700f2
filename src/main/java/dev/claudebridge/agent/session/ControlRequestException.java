package dev.claudebridge.agent.session;

/** The CLI answered one of our control requests with an error, or never answered it in time. */
public final class ControlRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ControlRequestException(String message) {
        super(message);
    }
}
