package dev.claudebridge.agent.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One line of the CLI's stream-json output, as the bot uses it (PROTOCOL.md §4). Decoding never throws: a type or
 * subtype the bot does not know becomes {@link Unknown}, a line that is not JSON becomes {@link NotJson}.
 */
public sealed interface CliEvent {

    // ---- system ----

    /** {@code system/init}, re-sent at the start of every turn. */
    record SystemInit(String sessionId, String model, String permissionMode, String cwd, List<String> tools)
            implements CliEvent {
    }

    /**
     * {@code system/status}: {@code requesting} before each API call, or a permission-mode change; {@code compacting}
     * while the conversation is compacted, then {@code compact_result} ({@code success} or {@code failed}, with
     * {@code compact_error}) (2.1.332, docs/cli-protocol.md "Context, /compact and /clear").
     */
    record SystemStatus(Optional<String> status, Optional<String> permissionMode, Optional<String> compactResult,
            Optional<String> compactError) implements CliEvent {
    }

    /**
     * {@code system/compact_boundary}: the conversation was compacted ({@code trigger} {@code manual} for
     * {@code /compact}, {@code auto} when the CLI did it by itself); the context's tokens before and (2.1.332) after.
     */
    record CompactBoundary(String trigger, long preTokens, Optional<Long> postTokens) implements CliEvent {
    }

    /** {@code system/api_retry}: the API failed and the CLI will try again. */
    record ApiRetry(int attempt, int maxRetries, double retryDelayMs, Optional<Integer> errorStatus, String error)
            implements CliEvent {
    }

    /** Any other {@code system} subtype (task_*, thinking_tokens, model_fallback, ...). */
    record SystemOther(String subtype, JsonNode raw) implements CliEvent {
    }

    /**
     * Top-level {@code conversation_reset} (2.1.332, {@code /clear}): the CLI starts a new conversation in the same
     * process; the next {@code system/init} carries its session id, and the cumulative cost starts again from 0.
     */
    record ConversationReset(String trigger) implements CliEvent {
    }

    // ---- stream_event (partial messages) ----

    /** {@code message_start} of one API call. */
    record MessageStart(String messageId, String model, Optional<String> parentToolUseId) implements CliEvent {
    }

    /** {@code content_block_start}: {@code blockType} is text, thinking or tool_use (name and id for tool_use). */
    record BlockStart(int index, String blockType, Optional<String> toolName, Optional<String> toolUseId,
            Optional<String> parentToolUseId) implements CliEvent {
    }

    /** A {@code text_delta}. */
    record TextDelta(int index, String text, Optional<String> parentToolUseId) implements CliEvent {
    }

    /** A {@code thinking_delta}. */
    record ThinkingDelta(int index, String thinking, Optional<String> parentToolUseId) implements CliEvent {
    }

    /** An {@code input_json_delta} of a tool_use block. */
    record ToolInputDelta(int index, String partialJson, Optional<String> parentToolUseId) implements CliEvent {
    }

    /** {@code content_block_stop}. */
    record BlockStop(int index, Optional<String> parentToolUseId) implements CliEvent {
    }

    /** {@code message_delta}: the call's stop reason and final output tokens. */
    record MessageDelta(Optional<String> stopReason, long outputTokens, Optional<String> parentToolUseId)
            implements CliEvent {
    }

    /** {@code message_stop}. */
    record MessageStop(Optional<String> parentToolUseId) implements CliEvent {
    }

    /** Any other stream event ({@code signature_delta}, {@code ping}, ...). */
    record StreamOther(String eventType, JsonNode raw) implements CliEvent {
    }

    // ---- assistant, user ----

    /**
     * An {@code assistant} message: one per content block. {@code error} is set on the CLI's synthetic message
     * after an API call failed for good (its text is the error).
     */
    record Assistant(String messageId, String model, List<ContentBlock> content, Optional<String> parentToolUseId,
            Optional<String> error) implements CliEvent {
    }

    /** A {@code user} message carrying tool results. */
    record ToolResults(List<ToolResult> results, Optional<String> parentToolUseId) implements CliEvent {
    }

    /** The CLI's {@code [Request interrupted by user]} marker; {@code forToolUse} for the "for tool use" form. */
    record Interrupted(boolean forToolUse) implements CliEvent {
    }

    /** Any other {@code user} message (replays, subagent prompts). */
    record UserOther(JsonNode raw) implements CliEvent {
    }

    // ---- result ----

    /** The end of a turn. Cost, {@code modelUsage} and {@code duration_api_ms} are cumulative for the process. */
    record Result(
            String subtype,
            boolean isError,
            Optional<String> result,
            List<String> errors,
            Optional<Integer> apiErrorStatus,
            int numTurns,
            long durationMs,
            long durationApiMs,
            BigDecimal totalCostUsd,
            Usage usage,
            Map<String, ModelUsage> modelUsage,
            int permissionDenials,
            Optional<String> stopReason,
            Optional<String> terminalReason,
            String sessionId) implements CliEvent {

        /** The text to show for a failed turn: the errors, else the result text, else the subtype. */
        public String errorText() {
            if (!errors.isEmpty()) {
                return String.join("; ", errors);
            }
            return result.filter(s -> !s.isBlank()).orElse(subtype);
        }
    }

    // ---- control ----

    /** The CLI asks whether a tool may run; answer exactly once. */
    record CanUseTool(String requestId, String toolName, JsonNode input, String toolUseId,
            Optional<String> description, Optional<String> blockedPath, JsonNode suggestions) implements CliEvent {
    }

    /** Another CLI-to-host control request: answered with an error, since the bot registers none. */
    record ControlRequest(String requestId, String subtype, JsonNode request) implements CliEvent {
    }

    /** The CLI gave up on one of its control requests (an interrupt while a permission was pending). */
    record ControlCancel(String requestId) implements CliEvent {
    }

    /**
     * The CLI's answer to one of our control requests.
     *
     * @param pendingPermissions an {@code initialize} answer's {@code pending_permission_requests}: the
     *                           {@code can_use_tool} requests still open, in full (2.1.332 puts the list beside the inner
     *                           {@code response}, transcript 24); an empty array otherwise
     */
    record ControlResponse(String requestId, boolean success, Optional<String> error, JsonNode response,
            JsonNode pendingPermissions) implements CliEvent {

        public ControlResponse(String requestId, boolean success, Optional<String> error, JsonNode response) {
            this(requestId, success, error, response, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                    .arrayNode());
        }
    }

    // ---- what could not be used ----

    /** A {@code type}/{@code subtype} the bot does not know, kept whole. */
    record Unknown(String type, Optional<String> subtype, JsonNode raw) implements CliEvent {
    }

    /** A line that is not a JSON object (the SDKs treat these as log lines). */
    record NotJson(String line) implements CliEvent {
    }

    /**
     * A line over {@code MAX_LINE_BYTES}: only what its head told is known (docs/architecture.md §3.3).
     *
     * @param type      the line's {@code type}, or "unknown"
     * @param subtype   a {@code request.subtype} or {@code subtype} found in the head
     * @param requestId the {@code request_id} found in the head
     * @param bytes     the line's full length
     */
    record Oversized(String type, Optional<String> subtype, Optional<String> requestId, long bytes)
            implements CliEvent {
    }

    // ---- parts ----

    /** A content block of an assistant message. */
    sealed interface ContentBlock {
        record Text(String text) implements ContentBlock {
        }

        record Thinking(String thinking) implements ContentBlock {
        }

        record ToolUse(String id, String name, JsonNode input) implements ContentBlock {
        }

        record Other(String type, JsonNode raw) implements ContentBlock {
        }
    }

    /** One {@code tool_result} block; {@code content} is its text (text parts joined). */
    record ToolResult(String toolUseId, String content, boolean isError) {
    }

    /** A turn's {@code usage} (this turn only). */
    record Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens) {
        public static final Usage ZERO = new Usage(0, 0, 0, 0);
    }

    /** One model's entry of {@code modelUsage} (cumulative for the process). */
    record ModelUsage(long inputTokens, long outputTokens, long cacheReadInputTokens, long cacheCreationInputTokens,
            BigDecimal costUsd) {
    }
}
