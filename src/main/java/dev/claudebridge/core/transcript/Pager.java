package dev.claudebridge.core.transcript;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a reply's body into chunks, one per page, each with the code-fence state around it. The chunks concatenate
 * to the body exactly; the break character (newline or space) stays at the end of the earlier chunk.
 *
 * <p>A chunk's end depends only on where it starts, the fence state there and the next {@code room} code points, so
 * a chunk with another one after it never moves while text is appended. The break is, in order of preference: after
 * the last newline that neither follows a fence-opening line nor precedes a fence-closing line (either would leave
 * an empty code block), after any last newline, after the last space, or hard at the window's end (only when the
 * window has no newline or space after some visible text). A break never leaves a chunk of only whitespace, which
 * Discord would refuse, unless the window is all whitespace. A break that is not after a newline never leaves the
 * next chunk starting with a space or a backtick: that page would start with a line the chat reads as a fence.
 */
final class Pager {

    /** Added at a page's end when the page ends inside a code block. */
    static final String CLOSE = "\n" + Fences.FENCE;

    /** A body range; {@code infoAtStart}/{@code infoAtEnd} are null outside a code block, else its language. */
    record Chunk(int start, int end, String infoAtStart, String infoAtEnd) {
    }

    private final int room;

    /** @param room code points a page may use for its reopened fence, its chunk and its closing fence */
    Pager(int room) {
        this.room = room;
    }

    List<Chunk> chunks(String body) {
        List<Chunk> chunks = new ArrayList<>();
        String info = null;
        int start = 0;
        while (start < body.length()) {
            int budget = room - reopenLength(info) - CLOSE.length();
            int windowEnd = advanceCodePoints(body, start, budget);
            int end = windowEnd == body.length() ? windowEnd : breakAt(body, start, windowEnd, info != null);
            String after = fenceAfter(body, start, end, info);
            chunks.add(new Chunk(start, end, info, after));
            info = after;
            start = end;
        }
        return chunks;
    }

    /** The reopening line for a chunk that starts inside a code block, newline included. */
    static String reopen(String info) {
        return Fences.FENCE + info + "\n";
    }

    private static int reopenLength(String info) {
        return info == null ? 0 : reopen(info).length(); // ASCII only, so chars are code points
    }

    private static int advanceCodePoints(String text, int from, int codePoints) {
        int i = from;
        for (int n = 0; n < codePoints && i < text.length(); n++) {
            i += Character.charCount(text.codePointAt(i));
        }
        return i;
    }

    private static int breakAt(String body, int start, int windowEnd, boolean open) {
        int clean = -1;
        int newline = -1;
        int space = -1;
        boolean content = false;
        boolean lineOpened = false;
        for (int i = start; i < windowEnd; i++) {
            if (i == 0 || body.charAt(i - 1) == '\n') {
                lineOpened = false;
                if (Fences.isFence(body, i, windowEnd)) {
                    open = !open;
                    lineOpened = open;
                }
            }
            char c = body.charAt(i);
            if (c == '\n' && content) {
                newline = i + 1;
                boolean closesNext = open && Fences.isFence(body, i + 1, windowEnd);
                if (!lineOpened && !closesNext) {
                    clean = i + 1;
                }
            } else if (c == ' ' && content) {
                space = startsMidLineSafely(body, i + 1) ? i + 1 : space;
            } else if (!Character.isWhitespace(c)) {
                content = true;
            }
        }
        return clean >= 0 ? clean : newline >= 0 ? newline : space >= 0 ? space : hardCut(body, start, windowEnd);
    }

    /**
     * Whether a page may start at {@code at}, in the middle of a body line. The chat reads each page on its own, so a
     * page starting with up to three spaces and {@code ```} would open a code block the body does not have: a page
     * never starts mid-line with a space or a backtick. Only the one character at {@code at} is read; when it lies
     * past the window it is already there, since a break is only looked for when text follows the window.
     */
    private static boolean startsMidLineSafely(String body, int at) {
        char c = body.charAt(at);
        return c != ' ' && c != '`' && !Character.isLowSurrogate(c);
    }

    /** The window's end, or the latest point before it where a page may start mid-line (see above). */
    private static int hardCut(String body, int start, int windowEnd) {
        for (int at = windowEnd; at > start; at--) {
            if (startsMidLineSafely(body, at)) {
                return at;
            }
        }
        return windowEnd;
    }

    /** The fence state after {@code [from, to)}, given the state {@code info} before it. */
    private static String fenceAfter(String body, int from, int to, String info) {
        int lineStart = from == 0 || body.charAt(from - 1) == '\n' ? from : nextLine(body, from);
        while (lineStart >= 0 && lineStart < to) {
            if (Fences.isFence(body, lineStart, body.length())) {
                info = info == null ? Fences.info(body, lineStart) : null;
            }
            lineStart = nextLine(body, lineStart);
        }
        return info;
    }

    private static int nextLine(String body, int from) {
        int newline = body.indexOf('\n', from);
        return newline < 0 ? -1 : newline + 1;
    }
}
