package dev.claudebridge.testkit.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a Messages API request body the way the fake's rules need it. The CLI prepends
 * {@code <system-reminder>} text blocks (date, context) to user messages and also puts {@code role:"system"}
 * entries into {@code messages}, so "the newest user text" must skip both.
 */
public final class Conversation {

    private static final Pattern REMINDER = Pattern.compile("(?s)<system-reminder>.*?</system-reminder>");

    private Conversation() {}

    /** A tool_result in the newest user message, with the name of the tool_use it answers ("" if unknown). */
    public record ToolResult(String toolUseId, String toolName, String content, boolean isError) {}

    /** Text of the last {@code user} message: its string content or its text blocks joined by newlines. */
    public static String newestUserText(JsonNode body) {
        JsonNode message = lastUserMessage(body);
        if (message == null) {
            return "";
        }
        JsonNode content = message.path("content");
        if (content.isTextual()) {
            return stripReminders(content.asText());
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText())) {
                String text = stripReminders(block.path("text").asText());
                if (!text.isEmpty()) {
                    parts.add(text);
                }
            }
        }
        return String.join("\n", parts);
    }

    /** The {@code image} blocks of the last {@code user} message, as sent ({@code source.media_type}, {@code data}). */
    public static List<JsonNode> newestUserImages(JsonNode body) {
        List<JsonNode> images = new java.util.ArrayList<>();
        JsonNode message = lastUserMessage(body);
        JsonNode content = message == null ? null : message.path("content");
        if (content != null && content.isArray()) {
            content.forEach(block -> {
                if ("image".equals(block.path("type").asText())) {
                    images.add(block);
                }
            });
        }
        return images;
    }

    /** The tool_result blocks of the last {@code user} message, each with its tool's name. */
    public static List<ToolResult> newestToolResults(JsonNode body) {
        JsonNode message = lastUserMessage(body);
        List<ToolResult> results = new ArrayList<>();
        if (message == null || !message.path("content").isArray()) {
            return results;
        }
        for (JsonNode block : message.path("content")) {
            if ("tool_result".equals(block.path("type").asText())) {
                String id = block.path("tool_use_id").asText();
                results.add(new ToolResult(id, toolNameOf(body, id), contentText(block.path("content")),
                        block.path("is_error").asBoolean(false)));
            }
        }
        return results;
    }

    private static JsonNode lastUserMessage(JsonNode body) {
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).path("role").asText())) {
                return messages.get(i);
            }
        }
        return null;
    }

    private static String toolNameOf(JsonNode body, String toolUseId) {
        for (JsonNode message : body.path("messages")) {
            if (!"assistant".equals(message.path("role").asText())) {
                continue;
            }
            for (JsonNode block : message.path("content")) {
                if ("tool_use".equals(block.path("type").asText()) && toolUseId.equals(block.path("id").asText())) {
                    return block.path("name").asText();
                }
            }
        }
        return "";
    }

    /** tool_result content is a string or a list of blocks; only text blocks carry text. */
    private static String contentText(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText())) {
                text.append(block.path("text").asText());
            }
        }
        return text.toString();
    }

    private static String stripReminders(String text) {
        return REMINDER.matcher(text).replaceAll("").strip();
    }
}
