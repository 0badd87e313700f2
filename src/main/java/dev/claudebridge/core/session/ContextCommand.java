package dev.claudebridge.core.session;

import dev.claudebridge.core.port.AgentEvent;
import dev.claudebridge.core.port.Markup;
import java.util.Optional;

/**
 * The CLI's own commands that change the conversation rather than add to it: a prompt whose text is {@code /compact}
 * or {@code /clear} is run by the CLI itself, as in its terminal (docs/cli-protocol.md "Context, /compact and
 * /clear"). The bot sends them as prompts (so they wait in the queue in order, and a queued one survives a restart as
 * any prompt does) and says what they did from the CLI's events.
 */
public enum ContextCommand {
    COMPACT("compact"), CLEAR("clear");

    private final String name;

    ContextCommand(String name) {
        this.name = name;
    }

    /** The command's name, as the bot's command list has it ({@code compact}). */
    public String commandName() {
        return name;
    }

    /** The prompt that runs it in the CLI. */
    public String promptText() {
        return "/" + name;
    }

    /** The command a prompt runs in the CLI, if it is one of these ({@code /compact focus on the API} is one too). */
    public static Optional<ContextCommand> of(String prompt) {
        String text = prompt.strip();
        for (ContextCommand command : values()) {
            String word = command.promptText();
            if (text.equals(word) || text.startsWith(word) && Character.isWhitespace(text.charAt(word.length()))) {
                return Optional.of(command);
            }
        }
        return Optional.empty();
    }

    /**
     * What the turn of {@code prompt} did to the conversation, said above its footer: {@code change} is the last
     * compaction or clear event of the turn (null when none came). A compaction can come in any turn (the CLI
     * compacts by itself when the window is nearly full); a {@code /compact} with none found nothing to compact.
     */
    static Optional<String> note(Markup m, String prompt, AgentEvent change) {
        return switch (change) {
            case AgentEvent.Compacted c -> Optional.of(Texts.compacted(c.automatic(), c.tokensBefore(),
                    c.tokensAfter()));
            case AgentEvent.CompactFailed f -> Optional.of(Texts.compactFailed(f.error()));
            case AgentEvent.Cleared c -> Optional.of(Texts.cleared(m));
            case null -> of(prompt).filter(c -> c == COMPACT).map(c -> Texts.NOTHING_TO_COMPACT);
            default -> Optional.empty();
        };
    }
}
