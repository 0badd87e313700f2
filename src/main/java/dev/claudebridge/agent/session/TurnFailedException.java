package dev.claudebridge.agent.session;

/**
 * A turn that ended without a usable {@code result}: its result line was over the cap, or the CLI answered a
 * start-up failure (for example "No conversation found" for {@code --resume}) in place of a turn.
 */
public final class TurnFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TurnFailedException(String message) {
        super(message);
    }
}
