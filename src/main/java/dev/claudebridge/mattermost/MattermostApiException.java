package dev.claudebridge.mattermost;

/** A Mattermost API answer other than 2xx, with the server's error id ({@code api.context.session_expired...}). */
final class MattermostApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String errorId;

    MattermostApiException(String request, int status, String errorId, String message) {
        super(request + " -> " + status + " " + errorId + ": " + message, null, false, false);
        this.status = status;
        this.errorId = errorId;
    }

    int status() {
        return status;
    }

    String errorId() {
        return errorId;
    }

    /** A refusal that repeating the same request will not change (not a 429, not a server error). */
    boolean clientError() {
        return status >= 400 && status < 500 && status != 429;
    }
}
