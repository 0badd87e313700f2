package dev.claudebridge.mattermost;

/**
 * Makes a text the bot posts notify nobody. Mattermost has no switch for that: a post notifies for {@code @channel},
 * {@code @all}, {@code @here} and {@code @username}, except inside code (the server removes code blocks and inline
 * code before it looks). So every {@code @} that starts a word outside a fenced code block gets a zero-width space
 * after it: the reader still sees {@code @channel}, the server sees {@code @} and {@code channel} apart. An {@code @}
 * after a letter or digit (an e-mail address) starts no mention and is left alone, and so are fenced code blocks,
 * which readers copy (inline code gets the space too: telling it apart exactly as the server does is not worth a
 * ping if it goes wrong).
 * When the spaces would make the text longer than the server takes, the {@code @} becomes a full-width {@code ＠}
 * instead, which keeps the length.
 */
final class NoPings {
    private static final char ZERO_WIDTH_SPACE = '\u200B';
    private static final char FULL_WIDTH_AT = '\uFF20';

    private NoPings() {
    }

    static String escape(String text, int maxCodePoints) {
        String spaced = rewrite(text, false);
        return spaced.codePointCount(0, spaced.length()) <= maxCodePoints ? spaced : rewrite(text, true);
    }

    private static String rewrite(String text, boolean fullWidth) {
        if (text.indexOf('@') < 0) {
            return text;
        }
        String[] lines = text.split("\n", -1);
        boolean inFence = false;
        for (int i = 0; i < lines.length; i++) {
            String trimmed = lines[i].strip();
            if (inFence) {
                inFence = !(trimmed.equals("```") || trimmed.equals("~~~"));
            } else if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) {
                inFence = true;
            } else {
                lines[i] = escapeLine(lines[i], fullWidth);
            }
        }
        return String.join("\n", lines);
    }

    private static String escapeLine(String line, boolean fullWidth) {
        StringBuilder out = new StringBuilder(line.length() + 4);
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            boolean startsWord = i == 0 || !Character.isLetterOrDigit(line.charAt(i - 1));
            boolean named = i + 1 < line.length() && nameChar(line.charAt(i + 1));
            if (c == '@' && startsWord && named) {
                if (fullWidth) {
                    out.append(FULL_WIDTH_AT);
                } else {
                    out.append('@').append(ZERO_WIDTH_SPACE);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean nameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_';
    }
}
