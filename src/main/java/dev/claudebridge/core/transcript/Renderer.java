package dev.claudebridge.core.transcript;

import dev.claudebridge.core.port.AgentEvent.Retrying;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Renders a {@link Transcript} into pages of at most {@code limit} Unicode code points (Discord counts code points;
 * its limit is 2000). Pure and thread-safe.
 *
 * <h2>Layout</h2>
 * The <em>body</em> is the transcript's items in order. Paragraphs are the model's text, byte for byte, separated by
 * {@link Transcript#PARAGRAPH_SEPARATOR}; each tool line ({@link ToolLines}, starting with "🔧 ") is a line of its own
 * between them: {@code para1 + "\n" + tool + "\n" + "\n" + para2}, {@code tool + "\n" + para}, {@code para + "\n" +
 * tool} at the end, {@code tool + "\n" + tool} in a row. So removing every tool line with the newline after it (or,
 * for the body's last line, the newline before it) gives {@link Transcript#text()} exactly.
 *
 * <h2>Pages</h2>
 * The body is cut into chunks that concatenate to it exactly; a break newline or space stays at the end of the
 * earlier page ({@link Pager} says where breaks go). A page is its chunk, preceded by an added opening fence line
 * {@code "```" + language + "\n"} when the chunk starts inside a code block, and followed by an added closing fence
 * {@code "\n```"} when it ends inside one. After the last chunk come, each after a {@code "\n"} (none when the page
 * is otherwise empty): the status line (the retry notice or {@link #INTERRUPTED}), then the footer; the footer goes
 * on a page of its own when it does not fit. With nothing at all to show, the one page is {@link #PLACEHOLDER}.
 *
 * <h2>Getting the model's text back from the pages</h2>
 * <ol>
 * <li>Drop the footer: the last page equals it, or ends with {@code "\n" + footer}.</li>
 * <li>Drop the status line: the last page equals it, or ends with {@code "\n" + it}.</li>
 * <li>For every page but the last: if it ends with {@code "\n```"}, that is an added close; remove it, and remove
 * the next page's first line with its newline (the added reopening). A page's own text cannot end that way, since
 * a break after a newline or space leaves that character last. The last page has an added close only when the
 * text leaves a code block open at its very end (while streaming; or a model that never closed its block).</li>
 * <li>Concatenate the pages: that is the body. Remove the tool lines as above: that is the text.</li>
 * </ol>
 * Ambiguous only in ways a model does not write: a line of its own starting with "🔧 " would be taken for a tool
 * line, and a page window of nothing but whitespace is cut hard (and such a page could end with "\n```").
 *
 * <h2>Stability while streaming</h2>
 * As text is appended, a page that has a page after it never changes: its end depends only on its own window, and
 * each page keeps room for the status line, so a notice coming or going never moves a break. The one exception is
 * a tool line's status mark (one code point, so no break moves), should a tool finish after text has filled the
 * page it is on; a model does not write text while its own tool runs. The footer comes at the end of the turn. So
 * the number of pages never goes down as events are folded in (a platform adapter never has to delete a message).
 */
public final class Renderer {

    /** The smallest limit that leaves room for text after the fences and the status line. */
    public static final int MIN_LIMIT = 200;
    public static final String PLACEHOLDER = "⏳ …";
    public static final String INTERRUPTED = "⏹️ Interrupted.";

    private final int limit;
    private final Pager pager;

    public Renderer(int limit) {
        if (limit < MIN_LIMIT) {
            throw new IllegalArgumentException("limit must be at least " + MIN_LIMIT + ": " + limit);
        }
        this.limit = limit;
        this.pager = new Pager(limit - statusReserve());
    }

    /** The retry notice, e.g. {@code ⚠️ API error, retrying (attempt 2/10)…}. */
    public static String retryNotice(Retrying retrying) {
        return "⚠️ API error, retrying (attempt " + retrying.attempt() + "/" + retrying.maxRetries() + ")…";
    }

    public Rendered render(Transcript transcript) {
        return render(transcript, Optional.empty());
    }

    /** The pages of {@code transcript}, with {@code footer} (e.g. time and cost, possibly several lines) at the end. */
    public Rendered render(Transcript transcript, Optional<String> footer) {
        String body = body(transcript.items());
        List<String> pages = new ArrayList<>();
        for (Pager.Chunk chunk : pager.chunks(body)) {
            pages.add(page(body, chunk));
        }
        status(transcript).ifPresent(status -> appendLine(pages, status));
        footer.filter(text -> !text.isBlank()).ifPresent(text -> addFooter(pages, text));
        if (pages.isEmpty()) {
            pages.add(PLACEHOLDER);
        }
        return new Rendered(pages);
    }

    /**
     * Tool lines sit inside the paragraph separator "\n\n", after its first newline, each with a newline of its own:
     * that keeps them on lines of their own and makes the body append-only as a reply streams.
     */
    static String body(List<Item> items) {
        StringBuilder out = new StringBuilder();
        boolean text = false;
        for (Item item : items) {
            switch (item) {
                case Item.Text paragraph -> {
                    out.append(text ? Transcript.PARAGRAPH_SEPARATOR : out.isEmpty() ? "" : "\n");
                    out.append(paragraph.text());
                    text = true;
                }
                case Item.Tool tool -> out.append(out.isEmpty() ? "" : "\n").append(tool.line().text());
            }
        }
        return out.toString();
    }

    private static String page(String body, Pager.Chunk chunk) {
        StringBuilder page = new StringBuilder();
        if (chunk.infoAtStart() != null) {
            page.append(Pager.reopen(chunk.infoAtStart()));
        }
        page.append(body, chunk.start(), chunk.end());
        if (chunk.infoAtEnd() != null) {
            page.append(Pager.CLOSE);
        }
        return page.toString();
    }

    private static Optional<String> status(Transcript transcript) {
        if (transcript.interrupted()) {
            return Optional.of(INTERRUPTED);
        }
        return transcript.retry().map(Renderer::retryNotice);
    }

    private static void appendLine(List<String> pages, String line) {
        if (pages.isEmpty()) {
            pages.add(line);
        } else {
            pages.set(pages.size() - 1, pages.getLast() + "\n" + line);
        }
    }

    private void addFooter(List<String> pages, String footer) {
        if (!pages.isEmpty() && codePoints(pages.getLast()) + 1 + codePoints(footer) <= limit) {
            appendLine(pages, footer);
        } else {
            pages.add(ToolLines.cut(footer, limit));
        }
    }

    /** Kept free on every page, so the status line always fits on the last one without moving a break. */
    private static int statusReserve() {
        String longest = retryNotice(new Retrying(Integer.MIN_VALUE, Integer.MIN_VALUE, ""));
        return 1 + Math.max(codePoints(longest), codePoints(INTERRUPTED));
    }

    private static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }
}
