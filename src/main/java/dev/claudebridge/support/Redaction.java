package dev.claudebridge.support;

import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes secrets out of text before it is printed. Pure functions on strings, no library: the logging layer
 * ({@link RedactingEncoder}) runs {@link #text} on every line, the configuration runs {@link #url} on a setting it
 * quotes back. What is hidden, and what is kept so a line still says what happened:
 *
 * <ul>
 *   <li>the token of a Discord interaction or webhook URL ({@code /interactions/{id}/TOKEN/callback},
 *       {@code /webhooks/{id}/TOKEN/...}) becomes {@code {interaction.token}} or {@code {webhook.token}}: the route,
 *       the ids and (elsewhere in the line) the method and status stay;</li>
 *   <li>{@code Bot TOKEN} and {@code Bearer TOKEN} (an {@code Authorization} header), a Discord bot token wherever it
 *       stands (three dot-separated base64 parts, the first an encoded user id), an interaction token wherever it
 *       stands (base64 of {@code interaction:...}), an Anthropic key ({@code sk-ant-...});</li>
 *   <li>the password of a URL's user info ({@code //user:PASSWORD@host}) and the value of a {@code password=},
 *       {@code token=} or similar parameter, or of a JSON field of that name;</li>
 *   <li>any literal value passed in (the bot's configured secrets, whatever their shape).</li>
 * </ul>
 *
 * <p>Each replacement is plain ASCII without quotes or backslashes, so redacting a JSON log line keeps it valid JSON;
 * the URL rules also read a slash escaped as {@code \/}, as in such a line.
 */
public final class Redaction {

    /** What a hidden value is replaced with. */
    public static final String HIDDEN = "***";

    /** Literal secrets shorter than this are not replaced as such (they would blank out ordinary words). */
    static final int MIN_LITERAL = 8;

    /** A slash, also as JSON may escape it ({@code \/}: logback's JSON encoder does). */
    private static final String SLASH = "\\\\?/";

    /** Characters a token in a URL path can have: up to the next slash, query, space, quote or backslash. */
    private static final String PATH_TOKEN = "[^/\\s?#\"'\\\\]+";

    private record Rule(String marker, Pattern pattern, Function<Matcher, String> replacement) {
        String apply(String text) {
            if (marker != null && !text.contains(marker)) {
                return text; // the common case, without running the expression
            }
            Matcher m = pattern.matcher(text);
            if (!m.find()) {
                return text;
            }
            StringBuilder out = new StringBuilder(text.length());
            do {
                m.appendReplacement(out, Matcher.quoteReplacement(replacement.apply(m)));
            } while (m.find());
            m.appendTail(out);
            String result = out.toString();
            return result.equals(text) ? text : result; // unchanged (a look-alike kept): the same string
        }
    }

    private static final List<Rule> RULES = List.of(
            new Rule("/interactions", Pattern.compile("(" + SLASH + "interactions" + SLASH + "[^/\\s\\\\]+" + SLASH
                    + ")" + PATH_TOKEN), m -> m.group(1) + "{interaction.token}"),
            new Rule("/webhooks", Pattern.compile("(" + SLASH + "webhooks" + SLASH + "[^/\\s\\\\]+" + SLASH + ")"
                    + PATH_TOKEN), m -> m.group(1) + "{webhook.token}"),
            new Rule(null, Pattern.compile("\\b(Bot|Bearer)\\s+[A-Za-z0-9._~+/=-]{16,}+"),
                    m -> m.group(1) + " " + HIDDEN),
            // Discord bot tokens: base64(user id) "." timestamp "." HMAC. The lookbehind starts a match only at the
            // start of a run (linear time on long base64 blobs); the decoded first part tells a token from a host
            // name or a class name.
            new Rule(".", Pattern.compile("(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{16,}+)\\.[A-Za-z0-9_-]{4,}+\\."
                    + "[A-Za-z0-9_-]{5,}+"), m -> isEncodedId(m.group(1)) ? HIDDEN : m.group()),
            // An interaction token is base64 of "interaction:<id>:<random>": recognisable outside a URL too.
            new Rule("aW50ZXJhY3Rpb246", Pattern.compile("aW50ZXJhY3Rpb246[A-Za-z0-9_+/=-]*"),
                    m -> "{interaction.token}"),
            new Rule("sk-ant-", Pattern.compile("sk-ant-[A-Za-z0-9_-]+"), m -> "sk-ant-" + HIDDEN),
            // A URL's user info: the password runs to the last '@' before the path (an unencoded '@' in it too).
            new Rule("@", Pattern.compile("(:" + SLASH + SLASH + "[^/\\s:@\"'\\\\]*):[^\\s/\"'\\\\]+@"),
                    m -> m.group(1) + ":" + HIDDEN + "@"),
            new Rule("=", Pattern.compile("(?i)\\b((?:password|passwd|pwd|secret|token|access_token|api_key"
                    + "|apikey)=)[^&;,\\s\"'\\\\]+"), m -> m.group(1) + HIDDEN),
            // A JSON field of that name, also inside a JSON log line where its quotes are escaped.
            new Rule("\"", Pattern.compile("(?i)(\\\\?\"(?:password|token|access_token|api_key)\\\\?\"\\s*:\\s*"
                    + "\\\\?\")[^\"\\\\]+"), m -> m.group(1) + HIDDEN));

    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)((?:password|passwd|pwd)=)[^&;#\\s]*");

    private Redaction() {
    }

    /** Free text (a log line, an error message) with the secrets above hidden. */
    public static String text(String text) {
        String out = text;
        for (Rule rule : RULES) {
            out = rule.apply(out);
        }
        return out;
    }

    /** {@link #text(String)}, and every occurrence of each literal (of at least {@value #MIN_LITERAL} chars) hidden. */
    public static String text(String text, Collection<String> literals) {
        String out = text;
        for (String literal : literals) {
            if (literal != null && literal.length() >= MIN_LITERAL && out.contains(literal)) {
                out = out.replace(literal, HIDDEN);
            }
        }
        return text(out);
    }

    /**
     * A URL from a setting, valid or not, fit to quote back in an error: the password of its user info and of a
     * {@code password=} parameter hidden. The user info is taken loosely, so that a malformed URL hides too much
     * rather than too little: everything between the first ':' after the scheme's {@code //} (or the start, without
     * one) and the last '@' goes.
     */
    public static String url(String url) {
        String out = url;
        int at = out.lastIndexOf('@');
        if (at >= 0) {
            int slashes = out.indexOf("//");
            int start = slashes >= 0 && slashes < at ? slashes + 2 : 0;
            int colon = out.indexOf(':', start);
            if (colon >= 0 && colon < at) {
                out = out.substring(0, colon + 1) + HIDDEN + out.substring(at);
            }
        }
        out = PASSWORD_PARAMETER.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(HIDDEN));
        return text(out);
    }

    /** The password in a URL's user info or {@code password=} parameter, if it has one (to hide it everywhere). */
    public static Optional<String> urlPassword(String url) {
        Matcher parameter = PASSWORD_PARAMETER.matcher(url);
        if (parameter.find() && parameter.end() > parameter.end(1)) {
            return Optional.of(url.substring(parameter.end(1), parameter.end()));
        }
        int at = url.lastIndexOf('@');
        int slashes = url.indexOf("//");
        if (at < 0 || slashes < 0 || slashes > at) {
            return Optional.empty();
        }
        int colon = url.indexOf(':', slashes + 2);
        return colon >= 0 && colon < at - 1 ? Optional.of(url.substring(colon + 1, at))
                : Optional.empty();
    }

    /** Whether a token's first part is base64 of a Discord id (digits), as in every bot token. */
    private static boolean isEncodedId(String part) {
        try {
            byte[] decoded = Base64.getUrlDecoder().decode(part.replaceAll("=+$", ""));
            if (decoded.length < 15) {
                return false;
            }
            for (byte b : decoded) {
                if (b < '0' || b > '9') {
                    return false;
                }
            }
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
