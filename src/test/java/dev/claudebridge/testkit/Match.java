package dev.claudebridge.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.anthropic.Conversation;
import java.util.Objects;

/**
 * Which {@code POST /v1/messages} request a rule answers. All text matching looks only at the newest
 * {@code user} message of the request (see {@link Conversation}), so a rule for a prompt does not fire
 * again on the follow-up request that carries the tool result.
 *
 * @param kind what is compared
 * @param toolName the tool whose tool_result is looked for (tool kinds only)
 * @param text the text compared (text kinds, and {@link Kind#TOOL_RESULT_CONTAINS})
 */
public record Match(Kind kind, String toolName, String text) {

    public enum Kind {
        ANY,
        USER_TEXT_CONTAINS,
        USER_TEXT_EQUALS,
        TOOL_RESULT_FOR,
        TOOL_RESULT_CONTAINS,
        MODEL_CONTAINS
    }

    public Match {
        Objects.requireNonNull(kind, "kind");
        // Fail where the rule is written, not later on the event loop while a request is matched.
        switch (kind) {
            case ANY -> { }
            case TOOL_RESULT_FOR -> Objects.requireNonNull(toolName, "toolName");
            case TOOL_RESULT_CONTAINS -> {
                Objects.requireNonNull(toolName, "toolName");
                Objects.requireNonNull(text, "text");
            }
            default -> Objects.requireNonNull(text, "text");
        }
    }

    /** The newest user text (system reminders removed) contains {@code s}. */
    public static Match userTextContains(String s) {
        return new Match(Kind.USER_TEXT_CONTAINS, null, Objects.requireNonNull(s));
    }

    /** The newest user text (system reminders removed, trimmed) equals {@code s} trimmed. */
    public static Match userTextEquals(String s) {
        return new Match(Kind.USER_TEXT_EQUALS, null, Objects.requireNonNull(s));
    }

    /** The newest user message carries a tool_result for a tool_use of the tool {@code toolName}. */
    public static Match toolResultFor(String toolName) {
        return new Match(Kind.TOOL_RESULT_FOR, Objects.requireNonNull(toolName), null);
    }

    /** As {@link #toolResultFor} and that tool_result's text contains {@code text}. */
    public static Match toolResultContains(String toolName, String text) {
        return new Match(Kind.TOOL_RESULT_CONTAINS, Objects.requireNonNull(toolName), Objects.requireNonNull(text));
    }

    /** The request's {@code model} contains {@code s} (e.g. "haiku" for the CLI's side requests). */
    public static Match modelContains(String s) {
        return new Match(Kind.MODEL_CONTAINS, null, Objects.requireNonNull(s));
    }

    public static Match any() {
        return new Match(Kind.ANY, null, null);
    }

    /** Whether this matches a Messages API request body. */
    public boolean test(JsonNode body) {
        return switch (kind) {
            case ANY -> true;
            case USER_TEXT_CONTAINS -> Conversation.newestUserText(body).contains(text);
            case USER_TEXT_EQUALS -> Conversation.newestUserText(body).trim().equals(text.trim());
            case TOOL_RESULT_FOR -> Conversation.newestToolResults(body).stream()
                    .anyMatch(r -> toolName.equals(r.toolName()));
            case TOOL_RESULT_CONTAINS -> Conversation.newestToolResults(body).stream()
                    .anyMatch(r -> toolName.equals(r.toolName()) && r.content().contains(text));
            case MODEL_CONTAINS -> body.path("model").asText("").contains(text);
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ANY -> "any";
            case TOOL_RESULT_FOR -> "toolResultFor(" + toolName + ")";
            case TOOL_RESULT_CONTAINS -> "toolResultContains(" + toolName + ", '" + text + "')";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT) + "('" + text + "')";
        };
    }
}
