package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.session.ComponentIds;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * /stop [n]: with {@code n}, the caller's n-th active session as /sessions numbers them; in a session's thread, that
 * session (its owner, or an admin); elsewhere the caller's one active session, or a picker (that expires) when there are
 * several.
 */
final class StopCommand implements Command {

    static final String N = "n";

    @Override
    public String name() {
        return "stop";
    }

    @Override
    public String description() {
        return "Stop one of your sessions";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option(N, "Which of your active sessions: its number in the session list"));
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("stop") + " [n]") + ": stop one of your sessions (in a session's thread: that one, "
                + "any session's for admins; n: its number in " + m.command("sessions") + "); its queued prompts are "
                + "dropped";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        String user = call.actor().userId();
        List<ThreadSession> active = SessionsCommand.active(bridge, user);
        Optional<String> n = call.option(N);
        if (n.isPresent()) {
            return numbered(bridge, active, n.get());
        }
        Optional<ThreadSession> here = bridge.session(call.channelId());
        if (here.isPresent()) {
            return inThread(bridge, here.get(), call.actor());
        }
        if (active.isEmpty()) {
            return Answer.refuse(Texts.NO_ACTIVE_SESSION);
        }
        if (active.size() == 1) {
            return stop(bridge, active.get(0));
        }
        int max = bridge.chat().maxSelectOptions();
        List<ChatPlatform.Option> options = active.stream().limit(max)
                .map(s -> new ChatPlatform.Option(Texts.oneLine(s.identity().title(), 100), s.identity().threadId(),
                        s.state().label() + " · " + s.totals().promptsAnswered() + " prompts"))
                .toList();
        Mono<String> expired = bridge.pendingStop.open(call.id(), user, user);
        return Answer.now(Reply.ephemeral(Texts.WHICH_TO_STOP).withRows(List.of(new ComponentRow.Select(
                ComponentIds.of(Bridge.STOP_PICK, call.id()), "Session", options, 1)), expired));
    }

    private static Answer numbered(Bridge bridge, List<ThreadSession> active, String given) {
        int index;
        try {
            index = Integer.parseInt(given);
        } catch (NumberFormatException notANumber) {
            index = 0;
        }
        if (index < 1 || index > active.size()) {
            return Answer.refuse(Texts.noSuchSessionNumber(bridge.markup(), given, active.size()));
        }
        return stop(bridge, active.get(index - 1));
    }

    /** In a session's thread: that session, for its owner or an admin (whose stop is logged and said there). */
    private static Answer inThread(Bridge bridge, ThreadSession session, Actor actor) {
        boolean owner = session.identity().ownerId().equals(actor.userId());
        if (!owner && !bridge.isAdmin(actor)) {
            return Answer.refuse(Texts.NOT_OWNER);
        }
        if (!session.state().active()) {
            return Answer.refuse(Texts.NOT_ACTIVE_HERE);
        }
        return owner ? stop(bridge, session)
                : new Answer.Later(true, bridge.adminStop(session, actor, false).map(Reply::ephemeral));
    }

    private static Answer stop(Bridge bridge, ThreadSession session) {
        return new Answer.Later(true, bridge.stop(session).map(Reply::ephemeral));
    }
}
