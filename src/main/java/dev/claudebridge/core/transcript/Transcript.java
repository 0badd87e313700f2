package dev.claudebridge.core.transcript;

import dev.claudebridge.core.port.AgentEvent;
import dev.claudebridge.core.port.AgentEvent.Retrying;
import dev.claudebridge.core.port.AgentEvent.ToolUse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A reply so far, folded from {@link AgentEvent}s: {@code events.scan(Transcript.empty(), Transcript::apply)}.
 * Immutable and thread-safe; {@link #apply} returns a new value and never changes this one.
 *
 * <p>The body is a list of {@link Item}s in order: paragraphs of text and tool lines. A {@code TextDelta} extends the
 * current paragraph; after a {@code TextBlockEnd} or a {@code ToolUse} the next text starts a new one (empty deltas
 * start nothing). A {@code ToolResult} sets its tool line's status. Besides the body there is at most one retry notice
 * (the latest {@code Retrying}, gone once text or a tool call arrives, as the API answered) and the interrupted flag.
 *
 * <p>A delta costs about its own length: the text lives in one append-only {@link TextLog} that the transcripts of a
 * fold share, and only the short list of paragraphs and tool lines is copied when it changes.
 */
public final class Transcript {

    /** What {@link #text()} puts between two paragraphs; the renderer keeps it between them too. */
    public static final String PARAGRAPH_SEPARATOR = "\n\n";

    private static final Transcript EMPTY = new Transcript(new TextLog(), 0, new Entry[0], -1, null, false);

    /** A closed paragraph is a span of the log; the open one is {@link #openStart} to {@link #length}. */
    private sealed interface Entry {
    }

    private record Span(int start, int end) implements Entry {
    }

    private record Tool(ToolLine line) implements Entry {
    }

    private final TextLog log;
    private final int length;
    private final Entry[] entries; // never written after construction
    private final int openStart;
    private final Retrying retry;
    private final boolean interrupted;

    private Transcript(TextLog log, int length, Entry[] entries, int openStart, Retrying retry, boolean interrupted) {
        this.log = log;
        this.length = length;
        this.entries = entries;
        this.openStart = openStart;
        this.retry = retry;
        this.interrupted = interrupted;
    }

    public static Transcript empty() {
        return EMPTY;
    }

    /** This transcript with {@code event} folded in. */
    public Transcript apply(AgentEvent event) {
        return switch (event) {
            case AgentEvent.TextDelta delta -> delta.text().isEmpty() ? this : append(delta.text());
            case AgentEvent.TextBlockEnd end -> closeParagraph();
            case ToolUse use -> closeParagraph().add(new Tool(ToolLines.of(use)));
            case AgentEvent.ToolResult result -> finishTool(result.toolUseId(), result.isError());
            case Retrying retrying -> new Transcript(log, length, entries, openStart, retrying, interrupted);
            case AgentEvent.Interrupted interrupt -> new Transcript(log, length, entries, openStart, null, true);
            case AgentEvent.Notice notice -> this; // said in a message of its own, not part of the reply
            // Said in the turn's footer (ThreadSession), not part of the reply's text.
            case AgentEvent.Compacted compacted -> this;
            case AgentEvent.CompactFailed failed -> this;
            case AgentEvent.Cleared cleared -> this;
        };
    }

    /** The body in order; paragraphs as {@link Item.Text}, tool calls as {@link Item.Tool}. */
    public List<Item> items() {
        List<Item> items = new ArrayList<>(entries.length + 1);
        for (Entry entry : entries) {
            items.add(switch (entry) {
                case Span span -> new Item.Text(log.slice(span.start(), span.end()));
                case Tool tool -> new Item.Tool(tool.line());
            });
        }
        if (openStart >= 0) {
            items.add(new Item.Text(log.slice(openStart, length)));
        }
        return List.copyOf(items);
    }

    /**
     * All reply text exactly as streamed: every delta in order, with {@link #PARAGRAPH_SEPARATOR} between paragraphs
     * and nothing else (tool lines, notices and markers are not text).
     */
    public String text() {
        StringBuilder out = new StringBuilder(length + 16);
        for (Entry entry : entries) {
            if (entry instanceof Span span) {
                appendParagraph(out, span.start(), span.end());
            }
        }
        if (openStart >= 0) {
            appendParagraph(out, openStart, length);
        }
        return out.toString();
    }

    public List<ToolLine> tools() {
        return Arrays.stream(entries).<ToolLine>mapMulti((entry, sink) -> {
            if (entry instanceof Tool tool) {
                sink.accept(tool.line());
            }
        }).toList();
    }

    /** The latest {@code Retrying}, while nothing has arrived since. */
    public Optional<Retrying> retry() {
        return Optional.ofNullable(retry);
    }

    public boolean interrupted() {
        return interrupted;
    }

    /** True before anything worth showing arrived. */
    public boolean isEmpty() {
        return entries.length == 0 && openStart < 0 && retry == null && !interrupted;
    }

    private void appendParagraph(StringBuilder out, int start, int end) {
        if (!out.isEmpty()) {
            out.append(PARAGRAPH_SEPARATOR);
        }
        log.copyTo(out, start, end);
    }

    private Transcript append(String text) {
        // A fresh log for each reply: the shared empty transcript's log must never grow (nor hold a reply forever).
        TextLog grown = (length == 0 ? new TextLog() : log).append(length, text);
        return new Transcript(grown, length + text.length(), entries, openStart >= 0 ? openStart : length, null,
                interrupted);
    }

    private Transcript closeParagraph() {
        if (openStart < 0) {
            return this;
        }
        return new Transcript(log, length, plus(entries, new Span(openStart, length)), -1, retry, interrupted);
    }

    // A tool call means the API answered, so a retry notice is over.
    private Transcript add(Tool tool) {
        return new Transcript(log, length, plus(entries, tool), openStart, null, interrupted);
    }

    private Transcript finishTool(String id, boolean failed) {
        for (int i = entries.length - 1; i >= 0; i--) {
            if (entries[i] instanceof Tool tool && tool.line().id().equals(id)) {
                Entry[] updated = entries.clone();
                updated[i] = new Tool(tool.line().withStatus(failed ? ToolLine.Status.FAILED : ToolLine.Status.OK));
                return new Transcript(log, length, updated, openStart, retry, interrupted);
            }
        }
        return this; // a result for a call we never saw (e.g. a subagent's) changes nothing
    }

    private static Entry[] plus(Entry[] entries, Entry entry) {
        Entry[] grown = Arrays.copyOf(entries, entries.length + 1);
        grown[entries.length] = entry;
        return grown;
    }
}
