package dev.claudebridge.mattermost;

import dev.claudebridge.core.inbound.Command;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code !} command as a Mattermost user types it, read against the core's one list of commands:
 * {@code !new --dir api --model sonnet fix the tests}. Leading {@code --option value} (or {@code --option=value})
 * pairs set options by name ({@code --dir} is short for {@code --directory}); whatever follows, newlines and all,
 * is the command's first option ({@code !new}'s prompt, {@code !stop}'s number).
 *
 * @param known whether the name is one of the commands (an unknown one is a prompt in a session's thread)
 */
record BangCommand(String name, boolean known, Map<String, String> options) {

    private static final Pattern HEAD = Pattern.compile("^!([A-Za-z][A-Za-z0-9_-]*)(?:\\s+|$)");
    private static final Pattern OPTION = Pattern.compile("^--([A-Za-z][A-Za-z0-9_-]*)(?:=|\\s+)(\"[^\"]*\"|\\S+)\\s*");
    private static final Map<String, String> ALIASES = Map.of("dir", "directory");

    BangCommand {
        options = Map.copyOf(options);
    }

    /** The command a message is, if it starts with {@code !name}. */
    static Optional<BangCommand> parse(String text, List<Command> commands) {
        String stripped = text.strip();
        Matcher head = HEAD.matcher(stripped);
        if (!head.find()) {
            return Optional.empty();
        }
        String name = head.group(1).toLowerCase(Locale.ROOT);
        Optional<Command> command = commands.stream().filter(c -> c.name().equals(name)).findFirst();
        if (command.isEmpty()) {
            return Optional.of(new BangCommand(name, false, Map.of()));
        }
        List<String> names = command.get().options().stream().map(Command.Option::name).toList();
        Map<String, String> options = new HashMap<>();
        String rest = stripped.substring(head.end());
        Matcher option = OPTION.matcher(rest);
        while (option.find()) {
            String key = ALIASES.getOrDefault(option.group(1).toLowerCase(Locale.ROOT),
                    option.group(1).toLowerCase(Locale.ROOT));
            if (!names.contains(key)) {
                break; // not an option of this command: it is part of the free text
            }
            String value = option.group(2);
            options.put(key, value.length() >= 2 && value.startsWith("\"") ? value.substring(1, value.length() - 1)
                    : value);
            rest = rest.substring(option.end());
            option = OPTION.matcher(rest);
        }
        if (!rest.isBlank() && !names.isEmpty()) {
            options.putIfAbsent(names.get(0), rest.strip());
        }
        return Optional.of(new BangCommand(name, true, options));
    }
}
