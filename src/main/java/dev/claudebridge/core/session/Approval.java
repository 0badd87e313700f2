package dev.claudebridge.core.session;

import dev.claudebridge.core.port.AgentPermission;
import dev.claudebridge.core.port.ChatPlatform.Attachment;
import dev.claudebridge.core.port.Markup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the owner sees before approving a tool call: what will actually run, whole. A command in full, a Write as the
 * content it writes, an Edit as a diff, any other tool (MCP tools too) as its whole JSON input. When that does not
 * fit one message, the message shows its first and last lines and says so, and the whole of it is attached as a
 * file: nothing can hide past a cut (a {@code ; curl … | sh} at the end of a long command). Pure: no I/O.
 */
final class Approval {

    /** Lines shown from each end of an input too long for the message. */
    static final int EXCERPT_LINES = 5;
    /** Characters shown from each end of one excerpt line that is itself too long. */
    static final int EXCERPT_LINE_CHARS = 120;

    /** The message body (header and input) and the file holding the whole input, if it had to be attached. */
    record View(String body, List<Attachment> files) {
    }

    private record Shown(String header, String language, String content, String fileName) {
    }

    private Approval() {
    }

    /**
     * @param room how many characters the body may take (the page limit less what follows it in the message)
     */
    static View of(AgentPermission request, Markup m, int room) {
        Shown shown = shown(request, m);
        String whole = shown.header() + "\n" + m.codeBlock(shown.language(), shown.content());
        if (whole.codePointCount(0, whole.length()) <= room) {
            return new View(whole, List.of());
        }
        List<String> lines = shown.content().lines().toList();
        Attachment file = new Attachment(shown.fileName(), shown.content().getBytes(StandardCharsets.UTF_8));
        for (int keep = EXCERPT_LINES; keep >= 1; keep--) {
            String body = shown.header() + "\n" + Texts.inputAttached(file.fileName(), lines.size(),
                    shown.content().codePointCount(0, shown.content().length())) + "\n"
                    + m.codeBlock(shown.language(), excerpt(lines, keep));
            if (body.codePointCount(0, body.length()) <= room || keep == 1) {
                return new View(body, List.of(file));
            }
        }
        throw new AssertionError("unreachable");
    }

    private static Shown shown(AgentPermission request, Markup m) {
        Map<String, Object> input = request.input();
        String tool = request.toolName();
        String path = input.get("file_path") instanceof String p ? p : "";
        String on = path.isEmpty() ? "" : " on " + m.code(path);
        if (tool.equals("Bash") && input.get("command") instanceof String command) {
            return new Shown(Texts.wantsToUse(m, tool, ""), "sh", command, "command.sh");
        }
        if (tool.equals("Write") && input.get("content") instanceof String content) {
            return new Shown(Texts.wantsToUse(m, tool, on), "", content, fileName(path, ".txt"));
        }
        if (tool.equals("Edit") && input.get("old_string") instanceof String old
                && input.get("new_string") instanceof String now) {
            String all = Boolean.TRUE.equals(input.get("replace_all")) ? " " + Texts.EVERY_OCCURRENCE : "";
            return new Shown(Texts.wantsToUse(m, tool, on + all), "diff", diff(old, now), fileName(path, ".diff"));
        }
        if (tool.equals("MultiEdit") && input.get("edits") instanceof List<?> edits) {
            return new Shown(Texts.wantsToUse(m, tool, on), "diff", diffs(edits), fileName(path, ".diff"));
        }
        return new Shown(Texts.wantsToUse(m, tool, on), "json", request.inputJson(), "input.json");
    }

    /** The old text's lines marked {@code -}, the new text's marked {@code +}: every line of both, nothing elided. */
    static String diff(String old, String now) {
        StringBuilder out = new StringBuilder();
        old.lines().forEach(l -> out.append("- ").append(l).append('\n'));
        now.lines().forEach(l -> out.append("+ ").append(l).append('\n'));
        return out.isEmpty() ? "" : out.substring(0, out.length() - 1);
    }

    private static String diffs(List<?> edits) {
        List<String> parts = new ArrayList<>();
        for (Object e : edits) {
            if (e instanceof Map<?, ?> edit && edit.get("old_string") instanceof String old
                    && edit.get("new_string") instanceof String now) {
                parts.add(diff(old, now));
            } else {
                parts.add("? " + e); // an edit of a shape this build does not know: shown as it came
            }
        }
        return String.join("\n@@\n", parts);
    }

    /** The first and last {@code keep} lines, with how many are left out between them; long lines cut in the middle. */
    static String excerpt(List<String> lines, int keep) {
        List<String> out = new ArrayList<>();
        if (lines.size() <= 2 * keep) {
            lines.forEach(l -> out.add(cutMiddle(l)));
        } else {
            lines.subList(0, keep).forEach(l -> out.add(cutMiddle(l)));
            out.add(Texts.linesNotShown(lines.size() - 2 * keep));
            lines.subList(lines.size() - keep, lines.size()).forEach(l -> out.add(cutMiddle(l)));
        }
        return String.join("\n", out);
    }

    /** Both ends of a long line stay visible: its end is where a smuggled command would sit. */
    private static String cutMiddle(String line) {
        int length = line.codePointCount(0, line.length());
        if (length <= 2 * EXCERPT_LINE_CHARS + 40) {
            return line;
        }
        int headEnd = line.offsetByCodePoints(0, EXCERPT_LINE_CHARS);
        int tailStart = line.offsetByCodePoints(0, length - EXCERPT_LINE_CHARS);
        return line.substring(0, headEnd) + Texts.charactersNotShown(length - 2 * EXCERPT_LINE_CHARS)
                + line.substring(tailStart);
    }

    private static String fileName(String path, String suffix) {
        String base = Optional.of(path.substring(path.lastIndexOf('/') + 1)).filter(s -> !s.isBlank()).orElse("file");
        return base.replaceAll("[^A-Za-z0-9_.-]", "_") + suffix;
    }
}
