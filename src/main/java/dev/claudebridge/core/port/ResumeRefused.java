package dev.claudebridge.core.port;

/**
 * A start that was to resume a conversation failed because the agent does not have it (the check before the start
 * said it could, yet the agent itself refused). The agent process is gone when this arrives; the message is a short
 * phrase for the thread.
 */
public final class ResumeRefused extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ResumeRefused(String why) {
        super(why);
    }
}
