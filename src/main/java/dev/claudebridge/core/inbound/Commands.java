package dev.claudebridge.core.inbound;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every command of the bot, listed once: the platforms derive their command lists from here, and /help too. */
public final class Commands {

    private final List<Command> list;
    private final Map<String, Command> byName;
    private final Command help;

    private Commands(List<Command> list) {
        this.list = List.copyOf(list);
        this.byName = list.stream().collect(Collectors.toUnmodifiableMap(Command::name, Function.identity()));
        this.help = byName.get(HelpCommand.NAME);
    }

    static Commands all() {
        return new Commands(List.of(new NewCommand(), new SessionsCommand(), new StopCommand(), new ContinueCommand(),
                new ModelCommand(), new ModeCommand(), new StatusCommand(), new ExportCommand(), new DownloadCommand(),
                new CompactCommand(), new ClearCommand(), new StopAllCommand(), new HelpCommand()));
    }

    public List<Command> list() {
        return list;
    }

    /** The command of that name; an unknown name gets /help. */
    Command named(String name) {
        return byName.getOrDefault(name, help);
    }
}
