package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.session.ContextCommand;
import java.util.List;

/** /clear, in a session's thread, by its owner: a fresh conversation in the same thread (the old one exportable). */
final class ClearCommand implements Command {

    @Override
    public String name() {
        return ContextCommand.CLEAR.commandName();
    }

    @Override
    public String description() {
        return "Start a fresh conversation in this thread";
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("clear")) + ": in a session's thread: a fresh conversation there (" + m.command("export")
                + " still has the old one)";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        return ConversationCommands.offer(call, bridge, ContextCommand.CLEAR);
    }
}
