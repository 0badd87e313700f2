package dev.claudebridge.testkit.mattermost;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which words of a message notify someone, the way the server finds them ({@code app/notification.go}): code blocks
 * and inline code are removed first, the rest is split into words at every character that is not a letter, a digit
 * or one of {@code : . - _ @}; a word that is {@code @channel}, {@code @all}, {@code @here} or {@code @} plus a
 * username (after trailing {@code . - : _} are trimmed) is a mention.
 */
final class Mentions {
    private static final Pattern CODE_BLOCK =
            Pattern.compile("(?m)^[^\\S\\n]*[`~]{3}.*$[\\s\\S]+?(^[^\\S\\n]*[`~]{3}$|\\z)");
    private static final Pattern INLINE_CODE = Pattern.compile("(?m)`+(?:.+?|.*?\\n(.*?\\S.*?\\n)*.*?)`+");
    private static final Set<String> SPECIAL = Set.of("@channel", "@all", "@here");

    private Mentions() {
    }

    static List<String> find(String message, Set<String> usernames) {
        String text = message;
        if (text.contains("```") || text.contains("~~~")) {
            text = CODE_BLOCK.matcher(text).replaceAll("");
        }
        if (text.contains("`")) {
            text = INLINE_CODE.matcher(text).replaceAll(" ");
        }
        List<String> found = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i <= text.length(); ) {
            int cp = i < text.length() ? text.codePointAt(i) : ' ';
            if (Character.isLetterOrDigit(cp) || cp == ':' || cp == '.' || cp == '-' || cp == '_' || cp == '@') {
                word.appendCodePoint(cp);
            } else if (!word.isEmpty()) {
                check(word.toString(), usernames, found);
                word.setLength(0);
            }
            i += i < text.length() ? Character.charCount(cp) : 1;
        }
        return found;
    }

    private static void check(String raw, Set<String> usernames, List<String> found) {
        if (!raw.startsWith("@")) {
            return;
        }
        for (String w : List.of(raw.toLowerCase(Locale.ROOT), trimEnd(raw.toLowerCase(Locale.ROOT)))) {
            if (SPECIAL.contains(w) || (w.length() > 1 && usernames.contains(w.substring(1)))) {
                found.add(w);
                return;
            }
        }
    }

    private static String trimEnd(String w) {
        int end = w.length();
        while (end > 0 && ".-:_".indexOf(w.charAt(end - 1)) >= 0) {
            end--;
        }
        return w.substring(0, end);
    }
}
