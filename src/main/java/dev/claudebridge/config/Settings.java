package dev.claudebridge.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads typed values out of an environment map; every failure names the variable. */
final class Settings {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KiB|MiB|GiB)?");
    /** The longest duration accepted: ten years, far from {@link Duration#toNanos()} overflowing in a timer. */
    static final Duration LONGEST = Duration.ofHours(87_600);

    private final Map<String, String> env;

    Settings(Map<String, String> env) {
        this.env = env;
    }

    Optional<String> optional(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    String required(String name, String expected) {
        return optional(name).orElseThrow(() -> new ConfigException(name, expected, null));
    }

    String string(String name, String fallback) {
        return optional(name).orElse(fallback);
    }

    long snowflake(String name) {
        return parseSnowflake(name, required(name, "a Discord id (a positive number)"));
    }

    Optional<Long> optionalSnowflake(String name) {
        return optional(name).map(v -> parseSnowflake(name, v));
    }

    Set<Long> snowflakes(String name) {
        return optional(name).stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> parseSnowflake(name, s))
                .collect(Collectors.toUnmodifiableSet());
    }

    List<String> names(String name) {
        return optional(name).stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    boolean bool(String name, boolean fallback) {
        return optional(name).map(v -> switch (v.toLowerCase()) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new ConfigException(name, "true or false", v);
        }).orElse(fallback);
    }

    int integer(String name, int fallback, int min, int max) {
        return optional(name).map(v -> {
            try {
                int value = Integer.parseInt(v);
                if (value < min || value > max) {
                    throw new ConfigException(name, "a whole number from " + min + " to " + max, v);
                }
                return value;
            } catch (NumberFormatException e) {
                throw new ConfigException(name, "a whole number from " + min + " to " + max, v);
            }
        }).orElse(fallback);
    }

    /** Durations are written {@code 500ms}, {@code 30s}, {@code 5m} or {@code 1h}. */
    Duration duration(String name, String fallback) {
        String v = string(name, fallback);
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new ConfigException(name, "a duration such as 500ms, 30s, 5m or 1h", v);
        }
        long millisPerUnit = switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        Duration d;
        try {
            d = Duration.ofMillis(Math.multiplyExact(Long.parseLong(m.group(1)), millisPerUnit));
        } catch (ArithmeticException | NumberFormatException e) {
            d = LONGEST.plusMillis(1); // past a long: too long, said below
        }
        if (d.isZero()) {
            throw new ConfigException(name, "a duration greater than zero", v);
        }
        if (d.compareTo(LONGEST) > 0) {
            throw new ConfigException(name, "a duration of at most " + LONGEST.toHours() + "h", v);
        }
        return d;
    }

    /** Sizes are written {@code 8MiB}, {@code 512KiB} or a plain number of bytes. */
    int bytes(String name, String fallback) {
        String v = string(name, fallback);
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw new ConfigException(name, "a size such as 8MiB, 512KiB or a number of bytes", v);
        }
        long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            default -> 1L;
        };
        long value;
        try {
            value = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            value = Long.MAX_VALUE; // past a long: too large, said below (never wrapped around into range)
        }
        if (value < 1024 || value > Integer.MAX_VALUE - 16) {
            throw new ConfigException(name, "a size from 1KiB to 2047MiB", v);
        }
        return (int) value;
    }

    Path path(String name, Path fallback) {
        return optional(name).map(v -> path(name, v)).orElse(fallback).toAbsolutePath().normalize();
    }

    Path requiredPath(String name, String expected) {
        return path(name, required(name, expected)).toAbsolutePath().normalize();
    }

    private static Path path(String name, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new ConfigException(name, "a path", value);
        }
    }

    private static long parseSnowflake(String name, String value) {
        try {
            long id = Long.parseUnsignedLong(value);
            if (id == 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new ConfigException(name, "a Discord id (a positive number)", value);
        }
    }
}
