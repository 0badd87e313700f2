package dev.claudebridge.core.transcript;

import dev.claudebridge.core.port.AgentEvent.ToolUse;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One line per tool call (docs/architecture.md §3.6). The format is
 * {@code 🔧 <name> `<argument>` <status>}, e.g. {@code 🔧 Bash `ls -la` ⏳}, or {@code 🔧 TodoWrite ✅} for a tool
 * without a shown argument. The status mark is ⏳ (running), ✅ (ok) or ❌ (failed or denied).
 *
 * <p>Every tool line starts with {@link #PREFIX}, so a reader of the pages can tell them from the model's text. The
 * argument is the one input field that says what the call does; it is made safe for one line of inline code:
 * line breaks become spaces, backticks become {@code ˋ} (U+02CB, which looks alike but cannot end the code span;
 * Discord would read a run of three backticks as a code block, so a longer span delimiter is no way out), and it is
 * cut to {@link #MAX_ARGUMENT} code points, the last of which is then "…".
 */
public final class ToolLines {

    public static final String PREFIX = "🔧 ";
    /** Code points of a shown argument, the "…" included. */
    public static final int MAX_ARGUMENT = 200;
    /** Input JSON longer than this (in code points) is attached in full by the platform adapter. */
    public static final int ATTACH_OVER = 1500;

    private static final int MAX_NAME = 100;
    private static final Pattern LINE_BREAK = Pattern.compile("\\R");
    private static final Pattern MARKDOWN = Pattern.compile("([\\\\*_~|`])");

    private ToolLines() {
    }

    /** A running tool line for a call. */
    public static ToolLine of(ToolUse use) {
        return new ToolLine(use.id(), use.name(), argument(use.name(), use.input()), ToolLine.Status.RUNNING);
    }

    /** The input field worth showing for {@code tool}, made fit for inline code; empty when there is none. */
    public static String argument(String tool, Map<String, Object> input) {
        Object value = switch (tool) {
            case "Bash" -> input.get("command");
            case "Read", "Write", "Edit", "MultiEdit", "NotebookEdit" ->
                    input.containsKey("file_path") ? input.get("file_path") : input.get("notebook_path");
            case "Grep", "Glob" -> input.get("pattern");
            case "WebFetch" -> input.get("url");
            case "WebSearch" -> input.get("query");
            case "Task", "Agent" -> input.get("description");
            default -> null;
        };
        // Only scalars: a list or map would print as Java's toString, which means nothing to a reader.
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            return "";
        }
        return cut(oneLine(value.toString()).replace('`', 'ˋ'), MAX_ARGUMENT);
    }

    /** True when the call's input is too long to show usefully, so the adapter attaches it as a file. */
    public static boolean needsAttachment(ToolUse use) {
        String json = use.inputJson();
        return json != null && json.codePointCount(0, json.length()) > ATTACH_OVER;
    }

    static String format(ToolLine line) {
        StringBuilder out = new StringBuilder(PREFIX).append(escapedName(line.name()));
        if (!line.argument().isEmpty()) {
            out.append(" `").append(line.argument()).append('`');
        }
        return out.append(' ').append(line.status().mark()).toString();
    }

    // The name stands outside the code span: an MCP name like mcp__github__x would otherwise be underlined.
    private static String escapedName(String name) {
        return MARKDOWN.matcher(cut(oneLine(name), MAX_NAME)).replaceAll("\\\\$1");
    }

    private static String oneLine(String text) {
        return LINE_BREAK.matcher(text).replaceAll(" ").strip();
    }

    static String cut(String text, int maxCodePoints) {
        if (text.codePointCount(0, text.length()) <= maxCodePoints) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, maxCodePoints - 1)) + "…";
    }
}
