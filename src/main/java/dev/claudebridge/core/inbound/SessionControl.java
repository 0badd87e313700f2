package dev.claudebridge.core.inbound;

import dev.claudebridge.core.session.ControlTexts;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.Optional;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * What /model and /mode share: they act on the session of the thread they are given in, for its owner only (the one
 * who answers its permission requests), while it has not ended; the change is said in the thread.
 */
final class SessionControl {

    private SessionControl() {
    }

    /** The session of the call's thread, when the caller owns it and it has not ended. */
    static Optional<ThreadSession> owned(CommandCall call, Bridge bridge) {
        return bridge.session(call.channelId())
                .filter(s -> s.identity().ownerId().equals(call.actor().userId()))
                .filter(s -> !over(s));
    }

    /** Why {@link #owned} found nothing. */
    static Answer refusal(CommandCall call, Bridge bridge, String command) {
        Optional<ThreadSession> here = bridge.session(call.channelId());
        if (here.isEmpty()) {
            return Answer.refuse(ControlTexts.inSessionThread(bridge.markup(), command));
        }
        if (!here.get().identity().ownerId().equals(call.actor().userId())) {
            return Answer.refuse(Texts.NOT_OWNER);
        }
        return Answer.refuse(ControlTexts.SESSION_OVER);
    }

    private static boolean over(ThreadSession s) {
        return switch (s.state()) {
            case ENDED, FAILED -> true;
            default -> false;
        };
    }

    /** The change, said in the thread for everyone in it; a refusal (the CLI's words) to the caller alone. */
    static Answer change(Bridge bridge, ThreadSession session, ThreadSession.Setting setting, String value,
            Function<Boolean, String> done, Function<String, String> refused) {
        return new Answer.Later(false, session.change(setting, value)
                .map(live -> Reply.visible(done.apply(live)))
                .onErrorResume(e -> Mono.just(Reply.ephemeral(refused.apply(e.getMessage() == null ? e.toString()
                        : e.getMessage())))));
    }
}
