package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.session.ComponentIds;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.List;
import reactor.core.publisher.Mono;

/** /stop: stops the user's one active session, or asks which with a picker (that expires). */
final class StopCommand implements Command {

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
        return List.of();
    }

    @Override
    public String helpLine() {
        return "`/stop`: stop one of your sessions; its queued prompts are dropped";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        String user = call.actor().userId();
        List<ThreadSession> active = bridge.sessions().activeOf(user);
        if (active.isEmpty()) {
            return Answer.refuse(Texts.NO_ACTIVE_SESSION);
        }
        if (active.size() == 1) {
            return new Answer.Later(true, bridge.stop(active.get(0)).map(Reply::ephemeral));
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
}
