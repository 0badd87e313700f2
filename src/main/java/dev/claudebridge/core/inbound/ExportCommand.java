package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.List;
import java.util.Optional;

/** /export, in a session's thread, by its owner: the conversation as a Markdown file in the thread. */
final class ExportCommand implements Command {

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String description() {
        return "This thread's conversation as a file";
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("export")) + ": this thread's conversation as a Markdown file";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        Optional<ThreadSession> session = bridge.session(call.channelId());
        if (session.isEmpty()) {
            return Answer.refuse(Texts.exportInThread(bridge.markup()));
        }
        if (!session.get().identity().ownerId().equals(call.actor().userId())) {
            return Answer.refuse(Texts.NOT_OWNER);
        }
        return new Answer.Later(true, session.get().export().thenReturn(Reply.ephemeral(Texts.EXPORTED)));
    }
}
