package dev.claudebridge.core.inbound;

import dev.claudebridge.core.session.ContextCommand;
import dev.claudebridge.core.session.Prompt;
import dev.claudebridge.core.session.SessionState;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.Optional;

/**
 * What {@code /compact} and {@code /clear} share: in a session's thread, by its owner, the CLI's own command is
 * offered to the session as a prompt. While a turn runs it waits in the queue like a prompt rather than being
 * refused: the CLI would queue it the same way, the user's order is kept (a {@code /clear} between two prompts
 * clears before the second), and nothing the user asked for is lost.
 */
final class ConversationCommands {

    private ConversationCommands() {
    }

    static Answer offer(CommandCall call, Bridge bridge, ContextCommand command) {
        Optional<ThreadSession> here = bridge.session(call.channelId());
        if (here.isEmpty()) {
            return Answer.refuse(Texts.contextCommandInThread(bridge.markup(), command.commandName()));
        }
        ThreadSession session = here.get();
        if (!session.identity().ownerId().equals(call.actor().userId())) {
            return Answer.refuse(Texts.NOT_OWNER);
        }
        if (session.state() == SessionState.ENDED) {
            return Answer.refuse(Texts.endedUseNew(bridge.markup()));
        }
        if (session.state() == SessionState.FAILED) {
            return Answer.refuse(Texts.failedUseNew(bridge.markup()));
        }
        boolean turnRuns = session.state() == SessionState.RUNNING
                || session.state() == SessionState.AWAITING_PERMISSION;
        int ahead = session.waitingCount() + (turnRuns ? 1 : 0);
        session.offer(new Prompt(command.promptText(), call.actor().userId(), Optional.empty(),
                bridge.clock().instant()));
        if (ahead > 0) {
            return Answer.refuse(Texts.contextCommandQueued(bridge.markup(), command.commandName(), ahead));
        }
        return Answer.refuse(command == ContextCommand.COMPACT ? Texts.COMPACT_STARTED : Texts.CLEAR_STARTED);
    }
}
