package dev.claudebridge.core.port;

import java.util.Map;

/**
 * What the core needs to know of an agent's output, free of any CLI or JSON type: the agent adapter maps the
 * CLI's stream-json events into these. Only the main conversation's events arrive here (a subagent's are not
 * shown as reply text).
 */
public sealed interface AgentEvent {

    /** A piece of reply text, as it streams in. */
    record TextDelta(String text) implements AgentEvent {
    }

    /** A text block ended; the next text starts a new paragraph. */
    record TextBlockEnd() implements AgentEvent {
    }

    /**
     * The model called a tool (the complete call).
     *
     * @param input     the tool's input as plain values (strings, numbers, booleans, lists, maps)
     * @param inputJson the same input as JSON text, for an attachment when it is long
     */
    record ToolUse(String id, String name, Map<String, Object> input, String inputJson) implements AgentEvent {
    }

    /** A tool finished; {@code isError} when it failed or was denied. */
    record ToolResult(String toolUseId, boolean isError) implements AgentEvent {
    }

    /** The API failed and the agent will try again. */
    record Retrying(int attempt, int maxRetries, String error) implements AgentEvent {
    }

    /**
     * The conversation was compacted: summarised by the model, the summary in place of the turns.
     *
     * @param automatic    the agent did it by itself (its window was nearly full), not asked by {@code /compact}
     * @param tokensBefore the context's tokens before
     * @param tokensAfter  after, when the agent says
     */
    record Compacted(boolean automatic, long tokensBefore, java.util.Optional<Long> tokensAfter)
            implements AgentEvent {
    }

    /** Compacting the conversation failed; the conversation is as it was. */
    record CompactFailed(String error) implements AgentEvent {
    }

    /** The conversation was cleared: the agent goes on with a new, empty one (a new conversation id). */
    record Cleared() implements AgentEvent {
    }

    /** The turn was interrupted by the user. */
    record Interrupted() implements AgentEvent {
    }

    /**
     * Something the agent wrote that the bridge could not use (a line that is not stream-json, a line over the
     * cap), with what was done about it; said in the thread, never dropped silently (docs/architecture.md §3.3).
     */
    record Notice(String text) implements AgentEvent {
    }
}
