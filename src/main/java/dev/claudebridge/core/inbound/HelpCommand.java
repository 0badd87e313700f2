package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.Markup;
import java.util.List;
import java.util.stream.Collectors;

/** /help: every command's help line, from the one list of commands. */
final class HelpCommand implements Command {

    static final String NAME = "help";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "What the bot can do";
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("help")) + ": this list";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        return Answer.refuse(bridge.commands().stream().map(c -> c.helpLine(bridge.markup()))
                .collect(Collectors.joining("\n")));
    }
}
