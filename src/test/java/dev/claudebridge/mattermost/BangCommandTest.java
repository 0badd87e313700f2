package dev.claudebridge.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.inbound.Command;
import dev.claudebridge.core.inbound.CommandCall;
import dev.claudebridge.core.inbound.Answer;
import dev.claudebridge.core.inbound.Bridge;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code !} commands as a Mattermost user types them, read against a command list shaped like the core's. */
final class BangCommandTest {

    private record Fake(String name, List<Option> options) implements Command {
        @Override
        public String description() {
            return name;
        }

        @Override
        public String helpLine(dev.claudebridge.core.port.Markup m) {
            return name;
        }

        @Override
        public Answer run(CommandCall call, Bridge bridge) {
            throw new UnsupportedOperationException();
        }
    }

    private static final List<Command> COMMANDS = List.of(
            new Fake("new", List.of(new Command.Option("prompt", ""), new Command.Option("directory", ""),
                    new Command.Option("model", ""))),
            new Fake("stop", List.of(new Command.Option("n", ""))),
            new Fake("status", List.of()));

    @Test
    void optionsByNameThenTheRestAsTheFirstOption() {
        assertThat(BangCommand.parse("!new --dir api --model=sonnet fix the tests\nand the docs", COMMANDS))
                .contains(new BangCommand("new", true, Map.of("directory", "api", "model", "sonnet",
                        "prompt", "fix the tests\nand the docs")));
        assertThat(BangCommand.parse("!new --directory \"my dir\" go", COMMANDS)).get()
                .extracting(BangCommand::options).isEqualTo(Map.of("directory", "my dir", "prompt", "go"));
        assertThat(BangCommand.parse("  !STOP 2 ", COMMANDS)).contains(new BangCommand("stop", true,
                Map.of("n", "2")));
        assertThat(BangCommand.parse("!status", COMMANDS)).contains(new BangCommand("status", true, Map.of()));
    }

    @Test
    void anUnknownOptionStartsTheFreeText() {
        assertThat(BangCommand.parse("!new --verbose please", COMMANDS)).get().extracting(BangCommand::options)
                .isEqualTo(Map.of("prompt", "--verbose please"));
    }

    @Test
    void unknownNamesAndNonCommands() {
        assertThat(BangCommand.parse("!frobnicate now", COMMANDS)).contains(new BangCommand("frobnicate", false,
                Map.of()));
        assertThat(BangCommand.parse("hello !new", COMMANDS)).isEqualTo(Optional.empty());
        assertThat(BangCommand.parse("! new", COMMANDS)).isEqualTo(Optional.empty());
        assertThat(BangCommand.parse("!newish", COMMANDS)).get().extracting(BangCommand::known).isEqualTo(false);
    }
}
