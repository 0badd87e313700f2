package dev.claudebridge.core.transcript;

import java.util.Objects;

/** One piece of a reply's body, in the order it happened. */
public sealed interface Item {

    /** A paragraph of the model's text, exactly as streamed (never empty). */
    record Text(String text) implements Item {
        public Text {
            Objects.requireNonNull(text, "text must not be null");
        }
    }

    /** A tool call, shown as one line. */
    record Tool(ToolLine line) implements Item {
        public Tool {
            Objects.requireNonNull(line, "line must not be null");
        }
    }
}
