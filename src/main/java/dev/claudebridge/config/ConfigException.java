package dev.claudebridge.config;

import java.util.List;

/**
 * A setting that is missing or malformed. The message is one line naming the variable and what is expected,
 * so that {@code Main} can print it as it is and exit with code 2. Checks that find several problems at once (the
 * start-up checks of the CLI and its credentials) carry one such line per problem: {@link #lines()}.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> lines;

    ConfigException(String variable, String expected, String got) {
        this(variable + ": expected " + expected
                + (got == null ? ", but it is not set" : ", got '" + oneLine(got) + "'"));
    }

    public ConfigException(String message) {
        this(List.of(message));
    }

    /** One problem per line, in the order they were found; at least one. */
    public ConfigException(List<String> lines) {
        super(String.join("\n", lines));
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one line");
        }
        this.lines = List.copyOf(lines);
    }

    /** The problems, one line each (a single-problem exception has one: its message). */
    public List<String> lines() {
        return lines;
    }

    /** A value as it can be shown on one line: control characters and line breaks written as escapes. */
    private static String oneLine(String value) {
        StringBuilder out = new StringBuilder();
        value.chars().forEach(c -> {
            boolean breaks = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            out.append(breaks ? String.format("\\u%04x", c) : String.valueOf((char) c));
        });
        return out.toString();
    }
}
