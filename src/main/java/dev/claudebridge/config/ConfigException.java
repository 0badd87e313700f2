package dev.claudebridge.config;

/**
 * A setting that is missing or malformed. The message is one line naming the variable and what is expected,
 * so that {@code Main} can print it as it is and exit with code 2.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ConfigException(String variable, String expected, String got) {
        super(variable + ": expected " + expected + (got == null ? ", but it is not set" : ", got '" + got + "'"));
    }

    public ConfigException(String message) {
        super(message);
    }
}
