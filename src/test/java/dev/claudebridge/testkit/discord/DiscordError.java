package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A refusal with Discord's status, code and JSON error body; the REST layer turns it into the response. */
final class DiscordError extends RuntimeException {
    private final int status;
    private final transient ObjectNode body;

    private DiscordError(int status, ObjectNode body) {
        super(status + " " + body, null, false, false);
        this.status = status;
        this.body = body;
    }

    int status() {
        return status;
    }

    ObjectNode body() {
        return body;
    }

    static DiscordError of(int status, int code, String message) {
        ObjectNode body = Json.object().put("message", message).put("code", code);
        return new DiscordError(status, body);
    }

    /** 400 50035 "Invalid Form Body" with one error at {@code path} (dot-separated, e.g. components.0.custom_id). */
    static DiscordError invalidForm(String path, String errorCode, String message) {
        ObjectNode errors = Json.object();
        ObjectNode at = errors;
        for (String key : path.split("\\.")) {
            at = at.withObject(key);
        }
        at.putArray("_errors").addObject().put("code", errorCode).put("message", message);
        ObjectNode body = Json.object().put("message", "Invalid Form Body").put("code", 50035);
        body.set("errors", errors);
        return new DiscordError(400, body);
    }

    static DiscordError maxLength(String path, int max) {
        return invalidForm(path, "BASE_TYPE_MAX_LENGTH", "Must be " + max + " or fewer in length.");
    }

    static DiscordError badLength(String path, int min, int max) {
        return invalidForm(path, "BASE_TYPE_BAD_LENGTH", "Must be between " + min + " and " + max + " in length.");
    }

    static DiscordError badJson() {
        return of(400, 50109, "The request body contains invalid JSON.");
    }

    static DiscordError unknownChannel() {
        return of(404, 10003, "Unknown Channel");
    }

    static DiscordError unknownMessage() {
        return of(404, 10008, "Unknown Message");
    }

    static DiscordError unknownInteraction() {
        return of(404, 10062, "Unknown interaction");
    }

    static DiscordError notFound() {
        return of(404, 0, "404: Not Found");
    }

    static DiscordError unauthorized() {
        return of(401, 0, "401: Unauthorized");
    }
}
