package dev.claudebridge.agent.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.claudebridge.agent.process.Line;
import dev.claudebridge.agent.protocol.CliEvent.ContentBlock;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps stream-json lines to {@link CliEvent}s: first a JSON tree, then a dispatch on {@code type} and
 * {@code subtype}. It never throws; unknown fields are ignored and unknown kinds kept as {@link CliEvent.Unknown}.
 * Thread-safe (the mapper is only read).
 */
public final class CliEventDecoder {

    private static final Pattern SUBTYPE = Pattern.compile("\"subtype\"\\s*:\\s*\"([a-z_]+)\"");
    private static final Pattern REQUEST_ID = Pattern.compile("\"request_id\"\\s*:\\s*\"([^\"]+)\"");
    private static final String INTERRUPTED = "[Request interrupted by user]";
    private static final String INTERRUPTED_FOR_TOOL_USE = "[Request interrupted by user for tool use]";

    private final ObjectMapper mapper;

    public CliEventDecoder(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public CliEvent decode(Line line) {
        return switch (line) {
            case Line.Complete c -> decode(c.text());
            case Line.Oversized o -> oversized(o.head(), o.totalBytes());
        };
    }

    public CliEvent decode(String line) {
        JsonNode node;
        try {
            node = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            return new CliEvent.NotJson(line);
        }
        if (node == null || !node.isObject()) {
            return new CliEvent.NotJson(line);
        }
        try {
            return map(node);
        } catch (RuntimeException e) {
            // A known type with an unexpected shape: keep it whole rather than fail the session.
            return unknown(node);
        }
    }

    /**
     * Only the head of an oversized line is known: its own top-level fields where the head has them (see
     * {@link OversizedHead}); a request id and subtype nested in a control request are found by pattern.
     */
    static CliEvent oversized(String head, long bytes) {
        OversizedHead fields = OversizedHead.of(head);
        return new CliEvent.Oversized(fields.type(), fields.field("subtype").or(() -> find(SUBTYPE, head)),
                fields.field("request_id").or(() -> find(REQUEST_ID, head)), bytes);
    }

    private CliEvent map(JsonNode node) {
        String type = node.path("type").asText("");
        return switch (type) {
            case "system" -> system(node);
            case "stream_event" -> stream(node);
            case "assistant" -> assistant(node);
            case "user" -> user(node);
            case "result" -> result(node);
            case "control_request" -> controlRequest(node);
            case "control_cancel_request" -> new CliEvent.ControlCancel(node.path("request_id").asText());
            case "control_response" -> controlResponse(node);
            case "conversation_reset" -> new CliEvent.ConversationReset(node.path("trigger").asText(""));
            default -> unknown(node);
        };
    }

    private CliEvent system(JsonNode node) {
        String subtype = node.path("subtype").asText("");
        return switch (subtype) {
            case "init" -> new CliEvent.SystemInit(node.path("session_id").asText(), node.path("model").asText(),
                    node.path("permissionMode").asText(), node.path("cwd").asText(), strings(node.path("tools")));
            case "status" -> new CliEvent.SystemStatus(text(node, "status"), text(node, "permissionMode"),
                    text(node, "compact_result"), text(node, "compact_error"));
            case "compact_boundary" -> new CliEvent.CompactBoundary(
                    node.path("compact_metadata").path("trigger").asText(""),
                    node.path("compact_metadata").path("pre_tokens").asLong(),
                    node.path("compact_metadata").path("post_tokens").isNumber()
                            ? Optional.of(node.path("compact_metadata").path("post_tokens").asLong())
                            : Optional.empty());
            case "api_retry" -> new CliEvent.ApiRetry(node.path("attempt").asInt(), node.path("max_retries").asInt(),
                    node.path("retry_delay_ms").asDouble(), integer(node, "error_status"),
                    node.path("error").asText(""));
            default -> new CliEvent.SystemOther(subtype, node);
        };
    }

    private CliEvent stream(JsonNode node) {
        JsonNode event = node.path("event");
        Optional<String> parent = text(node, "parent_tool_use_id");
        int index = event.path("index").asInt();
        String eventType = event.path("type").asText("");
        return switch (eventType) {
            case "message_start" -> new CliEvent.MessageStart(event.path("message").path("id").asText(),
                    event.path("message").path("model").asText(), parent);
            case "content_block_start" -> {
                JsonNode block = event.path("content_block");
                yield new CliEvent.BlockStart(index, block.path("type").asText(), text(block, "name"),
                        text(block, "id"), parent);
            }
            case "content_block_delta" -> delta(index, event.path("delta"), parent, event);
            case "content_block_stop" -> new CliEvent.BlockStop(index, parent);
            case "message_delta" -> new CliEvent.MessageDelta(text(event.path("delta"), "stop_reason"),
                    event.path("usage").path("output_tokens").asLong(), parent);
            case "message_stop" -> new CliEvent.MessageStop(parent);
            default -> new CliEvent.StreamOther(eventType, node);
        };
    }

    private static CliEvent delta(int index, JsonNode delta, Optional<String> parent, JsonNode event) {
        return switch (delta.path("type").asText("")) {
            case "text_delta" -> new CliEvent.TextDelta(index, delta.path("text").asText(), parent);
            case "thinking_delta" -> new CliEvent.ThinkingDelta(index, delta.path("thinking").asText(), parent);
            case "input_json_delta" -> new CliEvent.ToolInputDelta(index, delta.path("partial_json").asText(), parent);
            default -> new CliEvent.StreamOther("content_block_delta", event);
        };
    }

    private CliEvent assistant(JsonNode node) {
        JsonNode message = node.path("message");
        List<ContentBlock> blocks = new ArrayList<>();
        for (JsonNode block : message.path("content")) {
            blocks.add(switch (block.path("type").asText("")) {
                case "text" -> new ContentBlock.Text(block.path("text").asText());
                case "thinking" -> new ContentBlock.Thinking(block.path("thinking").asText());
                case "tool_use" -> new ContentBlock.ToolUse(block.path("id").asText(), block.path("name").asText(),
                        block.path("input"));
                default -> new ContentBlock.Other(block.path("type").asText(""), block);
            });
        }
        return new CliEvent.Assistant(message.path("id").asText(), message.path("model").asText(),
                List.copyOf(blocks), text(node, "parent_tool_use_id"), text(node, "error"));
    }

    private CliEvent user(JsonNode node) {
        JsonNode content = node.path("message").path("content");
        List<CliEvent.ToolResult> results = new ArrayList<>();
        for (JsonNode block : content) {
            String blockType = block.path("type").asText("");
            if (blockType.equals("tool_result")) {
                results.add(new CliEvent.ToolResult(block.path("tool_use_id").asText(), joinText(block.path("content")),
                        block.path("is_error").asBoolean(false)));
            } else if (blockType.equals("text") && results.isEmpty() && content.size() == 1) {
                String text = block.path("text").asText("");
                if (text.equals(INTERRUPTED)) {
                    return new CliEvent.Interrupted(false);
                }
                if (text.equals(INTERRUPTED_FOR_TOOL_USE)) {
                    return new CliEvent.Interrupted(true);
                }
            }
        }
        if (!results.isEmpty()) {
            return new CliEvent.ToolResults(List.copyOf(results), text(node, "parent_tool_use_id"));
        }
        return new CliEvent.UserOther(node);
    }

    private CliEvent result(JsonNode node) {
        JsonNode usage = node.path("usage");
        Map<String, CliEvent.ModelUsage> models = new LinkedHashMap<>();
        node.path("modelUsage").fields().forEachRemaining(e -> models.put(e.getKey(), new CliEvent.ModelUsage(
                e.getValue().path("inputTokens").asLong(), e.getValue().path("outputTokens").asLong(),
                e.getValue().path("cacheReadInputTokens").asLong(),
                e.getValue().path("cacheCreationInputTokens").asLong(),
                decimal(e.getValue().path("costUSD")))));
        return new CliEvent.Result(
                node.path("subtype").asText(""),
                node.path("is_error").asBoolean(false),
                text(node, "result"),
                strings(node.path("errors")),
                integer(node, "api_error_status"),
                node.path("num_turns").asInt(),
                node.path("duration_ms").asLong(),
                node.path("duration_api_ms").asLong(),
                decimal(node.path("total_cost_usd")),
                new CliEvent.Usage(usage.path("input_tokens").asLong(), usage.path("output_tokens").asLong(),
                        usage.path("cache_creation_input_tokens").asLong(),
                        usage.path("cache_read_input_tokens").asLong()),
                Map.copyOf(models),
                node.path("permission_denials").size(),
                text(node, "stop_reason"),
                text(node, "terminal_reason"),
                node.path("session_id").asText(""));
    }

    private CliEvent controlRequest(JsonNode node) {
        String requestId = node.path("request_id").asText();
        JsonNode request = node.path("request");
        String subtype = request.path("subtype").asText("");
        if (subtype.equals("can_use_tool")) {
            return new CliEvent.CanUseTool(requestId, request.path("tool_name").asText(), request.path("input"),
                    request.path("tool_use_id").asText(), text(request, "description"),
                    text(request, "blocked_path"), request.path("permission_suggestions"));
        }
        return new CliEvent.ControlRequest(requestId, subtype, request);
    }

    private CliEvent controlResponse(JsonNode node) {
        JsonNode response = node.path("response");
        JsonNode inner = response.has("response") ? response.get("response") : MissingNode.getInstance();
        // Beside the inner response in 2.1.332 (transcript 24); inside it, as PROTOCOL.md reads the SDK's types.
        JsonNode pending = response.path("pending_permission_requests").isArray()
                ? response.get("pending_permission_requests") : inner.path("pending_permission_requests");
        return new CliEvent.ControlResponse(response.path("request_id").asText(),
                response.path("subtype").asText("").equals("success"), text(response, "error"), inner,
                pending.isArray() ? pending : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                        .arrayNode());
    }

    private static CliEvent unknown(JsonNode node) {
        return new CliEvent.Unknown(node.path("type").asText(""), text(node, "subtype"), node);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    private static Optional<Integer> integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.canConvertToInt() ? Optional.empty() : Optional.of(value.asInt());
    }

    /**
     * A number as a decimal, else zero. A number beyond a double (say {@code 1e400}) is read as infinity, which has no
     * decimal: it counts as zero too rather than make the whole line unknown (an unknown result would never end its
     * turn).
     */
    private static BigDecimal decimal(JsonNode value) {
        boolean infinite = (value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue());
        return value.isNumber() && !infinite ? value.decimalValue() : BigDecimal.ZERO;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return List.copyOf(out);
    }

    private static String joinText(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("type").asText("").equals("text")) {
                text.append(part.path("text").asText());
            }
        }
        return text.toString();
    }

    private static Optional<String> find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
