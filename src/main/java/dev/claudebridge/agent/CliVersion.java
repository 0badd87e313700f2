package dev.claudebridge.agent;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code claude} CLI version as {@code claude --version} prints it ({@code 2.1.332 (Claude Code)}), and the range
 * of versions this build was tested with: the oldest is the one whose recorded transcripts the tests still decode
 * ({@code src/test/resources/transcripts/cli-2.1.197}), the newest is the pin in {@code tools/package.json} that every
 * real-CLI test runs ({@code CliVersionTest} fails when the two drift apart).
 */
public record CliVersion(int major, int minor, int patch) implements Comparable<CliVersion> {

    public static final CliVersion OLDEST_TESTED = new CliVersion(2, 1, 197);
    /** The pin of {@code tools/package.json}: the newest version tested, and the one the bot expects to run. */
    public static final CliVersion PINNED = new CliVersion(2, 1, 332);

    private static final Pattern VERSION = Pattern.compile("^\\s*(\\d+)\\.(\\d+)\\.(\\d+)\\b");

    /** The version at the start of {@code --version}'s output, or empty when it does not start with one. */
    public static Optional<CliVersion> parse(String output) {
        Matcher m = VERSION.matcher(output);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new CliVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // digits beyond an int: not a version this build knows
        }
    }

    @Override
    public int compareTo(CliVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c == 0 ? Integer.compare(patch, o.patch) : c;
    }

    public boolean olderThan(CliVersion o) {
        return compareTo(o) < 0;
    }

    public boolean newerThan(CliVersion o) {
        return compareTo(o) > 0;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
