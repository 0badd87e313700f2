package dev.claudebridge.core.transcript;

import dev.claudebridge.core.port.AgentEvent;
import java.util.List;
import java.util.Map;

/** Short names for the events a test folds. */
final class Events {

    private Events() {
    }

    static AgentEvent text(String text) {
        return new AgentEvent.TextDelta(text);
    }

    static AgentEvent end() {
        return new AgentEvent.TextBlockEnd();
    }

    static AgentEvent.ToolUse tool(String id, String name, Map<String, Object> input) {
        return new AgentEvent.ToolUse(id, name, input, "{}");
    }

    static AgentEvent ok(String id) {
        return new AgentEvent.ToolResult(id, false);
    }

    static AgentEvent failed(String id) {
        return new AgentEvent.ToolResult(id, true);
    }

    static Transcript fold(AgentEvent... events) {
        return fold(List.of(events));
    }

    static Transcript fold(List<AgentEvent> events) {
        Transcript transcript = Transcript.empty();
        for (AgentEvent event : events) {
            transcript = transcript.apply(event);
        }
        return transcript;
    }
}
