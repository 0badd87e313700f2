package dev.claudebridge.core.transcript;

/**
 * Code fences, read line by line as Discord's users write them: a line whose first non-space character (after at
 * most three spaces) begins a run of three backticks opens a code block, and the next such line closes it. Discord
 * has no {@code ~~~} blocks, so those are text.
 */
final class Fences {

    static final String FENCE = "```";
    /** Longer info strings are not repeated when a block is reopened on the next page (bare ``` instead). */
    static final int MAX_INFO = 32;

    private Fences() {
    }

    /** Whether the line starting at {@code lineStart} is a fence, looking at no character at or after {@code limit}. */
    static boolean isFence(String text, int lineStart, int limit) {
        int i = lineStart;
        while (i < limit && i - lineStart < 3 && text.charAt(i) == ' ') {
            i++;
        }
        return i + FENCE.length() <= limit && text.startsWith(FENCE, i);
    }

    /**
     * The language of the fence line at {@code lineStart}: the word after the backticks when it is a plausible
     * language name (letters, digits, {@code _+-.#}, at most {@link #MAX_INFO}), else empty. Only the word, because
     * Discord reads only that, and a bounded one, because it is repeated on every page the block spans.
     */
    static String info(String text, int lineStart) {
        int i = text.indexOf(FENCE, lineStart) + FENCE.length();
        while (i < text.length() && text.charAt(i) == '`') {
            i++;
        }
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        int start = i;
        while (i < text.length() && isLanguageChar(text.charAt(i))) {
            i++;
        }
        boolean wordEnds = i == text.length() || Character.isWhitespace(text.charAt(i));
        return wordEnds && i - start <= MAX_INFO ? text.substring(start, i) : "";
    }

    private static boolean isLanguageChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || "_+-.#".indexOf(c) >= 0);
    }
}
