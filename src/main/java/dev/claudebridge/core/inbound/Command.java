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

    /** A text option (every option of the bot's commands is optional text). */
    record Option(String name, String description) {
    }
}
