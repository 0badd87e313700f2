package dev.claudebridge.config;

/**
 * A setting that is missing or malformed. The message is one line naming the variable and what is expected,
 * so that {@code Main} can print it as it is and exit with code 2.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ConfigException(String variable, String expected, String got) {
        super(variable + ": expected " + expected
                + (got == null ? ", but it is not set" : ", got '" + oneLine(got) + "'"));
    }

    public ConfigException(String message) {
        super(message);
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
