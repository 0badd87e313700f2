package dev.claudebridge.core.transcript;

import java.util.Objects;

/**
 * One tool call as shown in a reply: always a single line that starts with {@link ToolLines#PREFIX}.
 *
 * @param id       the tool call's id, which its result refers to
 * @param name     the tool's name, as the model called it
 * @param argument what the call is about (command, path, pattern, …), already made fit for one line of inline code
 *                 ({@link ToolLines#argument}); empty when the tool has none worth showing
 * @param status   how far the call got
 */
public record ToolLine(String id, String name, String argument, Status status) {

    /** The status is the line's last code point, so it can change without moving anything around it. */
    public enum Status {
        RUNNING("⏳"), OK("✅"), FAILED("❌");

        private final String mark;

        Status(String mark) {
            this.mark = mark;
        }

        public String mark() {
            return mark;
        }
    }

    public ToolLine {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(argument, "argument must not be null");
        Objects.requireNonNull(status, "status must not be null");
    }

    public ToolLine withStatus(Status newStatus) {
        return new ToolLine(id, name, argument, newStatus);
    }

    /** The line as it appears in the reply, e.g. {@code 🔧 Bash `ls -la` ✅}. */
    public String text() {
        return ToolLines.format(this);
    }
}
