package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.session.SessionState;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.List;
import java.util.Optional;

/**
 * /continue: the user's most recent session that has not ended gets its status embed in its thread (with Resume /
 * Start fresh / Abort when its CLI died), and the user a link to it.
 */
final class ContinueCommand implements Command {

    @Override
    public String name() {
        return "continue";
    }

    @Override
    public String description() {
        return "Go back to your most recent session";
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("continue")) + ": go back to your most recent session";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        // The most recent one that is not over; only it is made again if dormant.
        Optional<ThreadSession> last = bridge.sessions().of(call.actor().userId()).stream()
                .filter(s -> s.platform().equals(bridge.chat().platform()) && s.state() != SessionState.ENDED)
                .findFirst()
                .flatMap(s -> bridge.sessions().get(s.platform(), s.threadId()));
        if (last.isEmpty()) {
            return Answer.refuse(Texts.nothingToContinue(bridge.markup()));
        }
        ThreadSession session = last.get();
        boolean dead = session.state() == SessionState.DEAD;
        String thread = session.identity().threadId();
        return new Answer.Later(true, bridge.chat()
                .postEmbed(thread, session.statusEmbed(Texts.CONTINUE_TITLE),
                        dead ? session.deadButtons() : List.of())
                .thenReturn(Reply.ephemeral(Texts.mostRecent(bridge.markup(), thread))));
    }
}
