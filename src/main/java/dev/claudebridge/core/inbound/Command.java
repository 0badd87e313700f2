package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.Markup;
import java.util.List;

/**
 * One command of the bot, for every platform: its name, options and help line (each platform derives its command
 * list from these: Discord's slash commands, Mattermost's {@code !} commands) and what it does. Adding a command is
 * adding one class and listing it in {@link Commands}.
 */
public interface Command {

    String name();

    /** One line for the platform's command picker. */
    String description();

    List<Option> options();

    /** The line {@code /help} shows, naming commands the platform's way ({@link Markup#command}). */
    String helpLine(Markup m);

    /** Decides at once what to answer; slow work goes into an {@link Answer.Later}. */
    Answer run(CommandCall call, Bridge bridge);

    /**
     * What to suggest for an option as the user types ({@link Option#suggested()} options): the values that start
     * with, then contain, what was typed. Only for a caller the bot serves ({@link Bridge#suggest}).
     */
    default List<String> suggest(String option, String typed, Bridge bridge) {
        return List.of();
    }

    /**
     * A text option (every option of the bot's commands is optional text).
     *
     * @param suggested whether the platform asks the command for values as the user types (Discord's autocomplete)
     */
    record Option(String name, String description, boolean suggested) {

        public Option(String name, String description) {
            this(name, description, false);
        }
    }

    /** Of {@code values}, those that start with {@code typed}, then those that contain it (case ignored). */
    static List<String> matching(List<String> values, String typed) {
        String t = typed.strip().toLowerCase(java.util.Locale.ROOT);
        return java.util.stream.Stream.concat(
                        values.stream().filter(v -> v.toLowerCase(java.util.Locale.ROOT).startsWith(t)),
                        values.stream().filter(v -> !v.toLowerCase(java.util.Locale.ROOT).startsWith(t)
                                && v.toLowerCase(java.util.Locale.ROOT).contains(t)))
                .toList();
    }
}
