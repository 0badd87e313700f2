package dev.claudebridge.testkit.mattermost;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Mattermost {@code AppError} as the REST API returns it: {@code id}, {@code message}, {@code detailed_error},
 * {@code request_id}, {@code status_code}. The ids are the server's own (api4 and model); the messages are its
 * English texts, shortened where they carry parameters.
 */
final class MmError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String id;
    final String where;

    MmError(int status, String where, String id, String message) {
        super(message, null, false, false);
        this.status = status;
        this.id = id;
        this.where = where;
    }

    static MmError badRequest(String where, String id, String message) {
        return new MmError(400, where, id, message);
    }

    static MmError unauthorized() {
        return new MmError(401, "ServeHTTP", "api.context.session_expired.app_error",
                "Invalid or expired session, please login again.");
    }

    static MmError forbidden() {
        return new MmError(403, "ServeHTTP", "api.context.permissions.app_error",
                "You do not have the appropriate permissions.");
    }

    static MmError notFound(String where, String id, String message) {
        return new MmError(404, where, id, message);
    }

    static MmError invalidParam(String name) {
        return badRequest("ServeHTTP", "api.context.invalid_param.app_error", "Invalid " + name + " parameter.");
    }

    ObjectNode body(String requestId) {
        ObjectNode body = MmJson.object();
        body.put("id", id);
        body.put("message", getMessage());
        body.put("detailed_error", "");
        body.put("request_id", requestId);
        body.put("status_code", status);
        return body;
    }
}
