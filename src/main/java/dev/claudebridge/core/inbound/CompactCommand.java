package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.session.ContextCommand;
import java.util.List;

/** /compact, in a session's thread, by its owner: the CLI summarises the conversation to free context. */
final class CompactCommand implements Command {

    @Override
    public String name() {
        return ContextCommand.COMPACT.commandName();
    }

    @Override
    public String description() {
        return "Summarise this thread's conversation to free context";
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("compact")) + ": in a session's thread: the conversation summarised to free context, "
                + "and how much that freed";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        return ConversationCommands.offer(call, bridge, ContextCommand.COMPACT);
    }
}
