package dev.claudebridge.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings from a {@code .env} file, merged under the real environment: a variable set in the environment wins over
 * the file, so a deployment can override one line without editing it.
 *
 * <p>The format, one setting per line:
 * <ul>
 * <li>{@code NAME=value}; blank lines and lines starting with {@code #} are ignored; {@code export NAME=value} is read
 * as {@code NAME=value} (so the file can also be sourced by a shell);</li>
 * <li>a value may be quoted, {@code "..."} or {@code '...'}: the quotes are removed and what is between them is taken
 * as it is (no escapes);</li>
 * <li>an unquoted value ends at a {@code #} that follows a space (a comment); its surrounding spaces are dropped;</li>
 * <li>no variable expansion: {@code $HOME} stays the five characters {@code $HOME};</li>
 * <li>a name given twice: the last line wins.</li>
 * </ul>
 * A line that is none of these is a {@link ConfigException} naming the file and the line number, never the line's
 * text: values are often secrets.
 */
public final class EnvFile {

    private static final Pattern LINE = Pattern.compile("^(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*=(.*)$");
    private static final Pattern QUOTED = Pattern.compile("^([\"'])(.*?)\\1\\s*(?:#.*)?$");
    private static final Pattern INLINE_COMMENT = Pattern.compile("\\s#.*$");

    private EnvFile() {
    }

    /** The real environment over the file's settings: a name set in both keeps the environment's value. */
    public static Map<String, String> under(Map<String, String> environment, Map<String, String> fromFile) {
        Map<String, String> merged = new HashMap<>(fromFile);
        merged.putAll(environment);
        return merged;
    }

    /** The file's settings in file order; empty when the file does not exist. */
    public static Map<String, String> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": expected a UTF-8 text file of NAME=value lines");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        return parse(file.toString(), text);
    }

    /** Parses {@code text}; {@code source} names it in errors. */
    static Map<String, String> parse(String source, String text) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte-order mark some editors write
        }
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new ConfigException(source + " line " + (i + 1) + ": expected NAME=value (a name of letters, "
                        + "digits and _, then =), or a comment starting with #");
            }
            settings.put(m.group(1), value(source, i + 1, m.group(2)));
        }
        return settings;
    }

    private static String value(String source, int lineNumber, String afterEquals) {
        String raw = afterEquals.strip();
        if (raw.startsWith("\"") || raw.startsWith("'")) {
            Matcher quoted = QUOTED.matcher(raw);
            if (!quoted.matches()) {
                throw new ConfigException(source + " line " + lineNumber + ": expected the quoted value to end with "
                        + "its opening quote (" + raw.charAt(0) + "), followed by nothing but a comment");
            }
            return quoted.group(2);
        }
        // On what followed '=' as written, so that "NAME= # comment" is empty but "NAME=#x" is "#x".
        return INLINE_COMMENT.matcher(afterEquals).replaceFirst("").strip();
    }
}
