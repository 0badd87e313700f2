package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.ChatPlatform.Button;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.session.ComponentIds;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * /stopall, for emergencies: an admin stops every active session of this platform, after a confirmation button
 * (that expires). Each stop is logged with the admin's id and said in the session's thread.
 */
final class StopAllCommand implements Command {

    private static final Logger log = LoggerFactory.getLogger(StopAllCommand.class);

    @Override
    public String name() {
        return "stopall";
    }

    @Override
    public String description() {
        return "Admins: stop every active session (asks first)";
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("stopall")) + ": admins only: stop every active session, after a confirmation";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        if (!bridge.isAdmin(call.actor())) {
            return Answer.refuse(Texts.ADMINS_ONLY);
        }
        List<ThreadSession> active = active(bridge);
        if (active.isEmpty()) {
            return Answer.refuse(Texts.NO_ACTIVE_SESSIONS);
        }
        String user = call.actor().userId();
        return Answer.now(Reply.ephemeral(Texts.confirmStopAll(active.size())).withRows(List.of(
                new ComponentRow.Buttons(List.of(
                        new Button(ComponentIds.of(Bridge.STOP_ALL, call.id(), "yes"), "Stop all",
                                Button.Style.DANGER, false),
                        new Button(ComponentIds.of(Bridge.STOP_ALL, call.id(), "cancel"), "Cancel",
                                Button.Style.SECONDARY, false)))),
                bridge.pendingStopAll.open(call.id(), user, user)));
    }

    /** The confirmation's click: only the admin who asked, while it is open. */
    static ClickAnswer confirmed(Bridge bridge, Actor actor, ComponentIds.Parsed id) {
        if (bridge.pendingStopAll.take(id.threadId(), actor.userId()).isEmpty() || !bridge.isAdmin(actor)) {
            return new ClickAnswer.Refuse(Texts.NOT_YOURS_OR_EXPIRED);
        }
        if (id.arg(0).equals("cancel")) {
            return new ClickAnswer.Close(Optional.of(Texts.CANCELLED), Mono.empty());
        }
        List<ThreadSession> active = active(bridge);
        log.atWarn().addKeyValue("admin", actor.userId()).log("admin stop-all: stopping {} session(s)", active.size());
        return new ClickAnswer.Work(Flux.fromIterable(active)
                .concatMap(s -> bridge.adminStop(s, actor, true).onErrorResume(e -> {
                    log.atWarn().addKeyValue("thread", s.identity().threadId())
                            .log("admin stop-all: the session could not be stopped: {}", e.toString());
                    return Mono.empty();
                }))
                .count()
                .map(n -> new ClickAnswer.Result.Replace(Texts.stoppedAll(n))));
    }

    /** This platform's active sessions, everyone's. */
    private static List<ThreadSession> active(Bridge bridge) {
        String platform = bridge.chat().platform();
        return bridge.sessions().all().stream()
                .filter(s -> s.identity().platform().equals(platform) && s.state().active())
                .toList();
    }
}
