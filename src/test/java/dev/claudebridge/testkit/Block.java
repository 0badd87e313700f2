package dev.claudebridge.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** One content block of a scripted assistant reply, streamed by {@link FakeAnthropicApi}. */
public sealed interface Block {

    static Block text(String s) {
        return new Text(s);
    }

    static Block thinking(String s) {
        return new Thinking(s, "fakesig==");
    }

    /** The tool id ({@code toolu_NNN}) is assigned by the server when the reply is sent. */
    static Block toolUse(String name, Map<String, Object> input) {
        return new ToolUse(name, input);
    }

    record Text(String text) implements Block {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** The signature is sent as one {@code signature_delta}, as the real API does. */
    record Thinking(String thinking, String signature) implements Block {
        public Thinking {
            Objects.requireNonNull(thinking, "thinking");
            Objects.requireNonNull(signature, "signature");
        }
    }

    record ToolUse(String name, Map<String, Object> input) implements Block {
        public ToolUse {
            Objects.requireNonNull(name, "name");
            // A copy that keeps the caller's key order, so the streamed JSON is predictable.
            input = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(input));
        }
    }
}
