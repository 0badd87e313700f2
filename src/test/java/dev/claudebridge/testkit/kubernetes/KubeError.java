package dev.claudebridge.testkit.kubernetes;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An API error as the API server reports it: a {@code v1/Status} body with {@code status: Failure}, the HTTP code,
 * the reason ({@code NotFound}, {@code AlreadyExists}, ...) and, for errors about one object, {@code details}.
 */
final class KubeError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int code;
    final String reason;
    private final String name;
    private final String kind;

    private KubeError(int code, String reason, String message, String name, String kind) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
        this.name = name;
        this.kind = kind;
    }

    static KubeError notFound(String resource, String name) {
        return new KubeError(404, "NotFound", resource + " \"" + name + "\" not found", name, resource);
    }

    /** What the server answers for a path it does not serve. */
    static KubeError noSuchPath() {
        return new KubeError(404, "NotFound", "the server could not find the requested resource", null, null);
    }

    static KubeError alreadyExists(String resource, String name) {
        return new KubeError(409, "AlreadyExists", resource + " \"" + name + "\" already exists", name, resource);
    }

    static KubeError badRequest(String message) {
        return new KubeError(400, "BadRequest", message, null, null);
    }

    static KubeError invalid(String kind, String name, String message) {
        return new KubeError(422, "Invalid", kind + " \"" + name + "\" is invalid: " + message, name, kind);
    }

    static KubeError unauthorized() {
        return new KubeError(401, "Unauthorized", "Unauthorized", null, null);
    }

    /**
     * The API server's answer when RBAC denies a verb, for the bot's ServiceAccount (whose Role the fake models
     * where the fabric8 DSL would otherwise silently use more than the Role grants).
     */
    static KubeError forbidden(String verb, String resource, String namespace) {
        String where = namespace == null ? "at the cluster scope" : "in the namespace \"" + namespace + "\"";
        return new KubeError(403, "Forbidden", resource + " is forbidden: User \"system:serviceaccount:claude-bridge:"
                + "claude-bridge\" cannot " + verb + " resource \"" + resource + "\" in API group \"\" " + where,
                null, resource);
    }

    static KubeError methodNotAllowed() {
        return new KubeError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                null, null);
    }

    ObjectNode status() {
        ObjectNode s = KubeJson.object();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", getMessage());
        s.put("reason", reason);
        ObjectNode details = s.putObject("details");
        if (name != null) {
            details.put("name", name);
        }
        if (kind != null) {
            details.put("kind", kind);
        }
        s.put("code", code);
        return s;
    }
}
