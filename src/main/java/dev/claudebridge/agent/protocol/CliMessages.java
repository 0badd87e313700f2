package dev.claudebridge.agent.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes the lines the bot sends on the CLI's stdin (PROTOCOL.md §5). Each is one JSON object on one line (Jackson
 * escapes line breaks inside strings). User messages carry no {@code uuid}: the CLI silently skips a repeated one.
 */
public final class CliMessages {

    private final ObjectMapper mapper;

    public CliMessages(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** A user message with plain text. */
    public String userText(String text) {
        return user(mapper.getNodeFactory().textNode(text));
    }

    /** A user message with content blocks, e.g. text and images. */
    public String userBlocks(List<UserBlock> blocks) {
        ArrayNode content = mapper.createArrayNode();
        for (UserBlock block : blocks) {
            switch (block) {
                case UserBlock.Text t -> content.addObject().put("type", "text").put("text", t.text());
                case UserBlock.Image i -> {
                    ObjectNode image = content.addObject().put("type", "image");
                    image.putObject("source").put("type", "base64").put("media_type", i.mediaType())
                            .put("data", i.base64Data());
                }
            }
        }
        return user(content);
    }

    private String user(JsonNode content) {
        ObjectNode line = mapper.createObjectNode().put("type", "user");
        line.putObject("message").put("role", "user").set("content", content);
        line.putNull("parent_tool_use_id");
        line.put("session_id", "");
        return write(line);
    }

    /** Our control request: {@code request} carries its {@code subtype} and fields. */
    public String controlRequest(String requestId, ObjectNode request) {
        ObjectNode line = mapper.createObjectNode().put("type", "control_request").put("request_id", requestId);
        line.set("request", request);
        return write(line);
    }

    public ObjectNode initialize() {
        ObjectNode request = mapper.createObjectNode().put("subtype", "initialize");
        request.putNull("hooks");
        return request;
    }

    public ObjectNode interrupt() {
        return mapper.createObjectNode().put("subtype", "interrupt");
    }

    public ObjectNode setModel(String model) {
        return mapper.createObjectNode().put("subtype", "set_model").put("model", model);
    }

    public ObjectNode setPermissionMode(String mode) {
        return mapper.createObjectNode().put("subtype", "set_permission_mode").put("mode", mode);
    }

    /** How full the context window is (PROTOCOL.md §5.2; the answer's {@code percentage}). */
    public ObjectNode getContextUsage() {
        return mapper.createObjectNode().put("subtype", "get_context_usage");
    }

    /** Allow always carries {@code updatedInput} (the CLI denies an allow without it); rules are optional. */
    public String allow(String requestId, JsonNode updatedInput, List<JsonNode> updatedPermissions) {
        ObjectNode answer = mapper.createObjectNode().put("behavior", "allow");
        answer.set("updatedInput", updatedInput);
        if (!updatedPermissions.isEmpty()) {
            answer.putArray("updatedPermissions").addAll(updatedPermissions);
        }
        return success(requestId, answer);
    }

    /** Deny always carries a message: it becomes the tool result the model reads. */
    public String deny(String requestId, String message) {
        return success(requestId, mapper.createObjectNode().put("behavior", "deny").put("message", message));
    }

    /** The answer to a CLI request the bot does not handle. */
    public String error(String requestId, String error) {
        ObjectNode line = mapper.createObjectNode().put("type", "control_response");
        line.putObject("response").put("subtype", "error").put("request_id", requestId).put("error", error);
        return write(line);
    }

    /** A session-wide allow rule ({@link SessionRules} decides which), as a permission update. */
    public JsonNode sessionRule(SessionRules.Rule rule) {
        ObjectNode update = mapper.createObjectNode().put("type", "addRules");
        ObjectNode added = update.putArray("rules").addObject().put("toolName", rule.toolName());
        rule.content().ifPresent(content -> added.put("ruleContent", content));
        update.put("behavior", "allow").put("destination", "session");
        return update;
    }

    /**
     * A permission update that sets the session's permission mode (2.1.332 applies it with the allow: an approved
     * ExitPlanMode then leaves plan mode for this mode, not for the one the CLI remembers; transcript
     * 27c_exit_plan_mode_set_mode).
     */
    public JsonNode setMode(String mode) {
        return mapper.createObjectNode().put("type", "setMode").put("mode", mode).put("destination", "session");
    }

    private String success(String requestId, JsonNode answer) {
        ObjectNode line = mapper.createObjectNode().put("type", "control_response");
        ObjectNode response = line.putObject("response").put("subtype", "success").put("request_id", requestId);
        response.set("response", answer);
        return write(line);
    }

    private String write(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A block of a user message. */
    public sealed interface UserBlock {
        record Text(String text) implements UserBlock {
        }

        record Image(String mediaType, String base64Data) implements UserBlock {
        }
    }
}
