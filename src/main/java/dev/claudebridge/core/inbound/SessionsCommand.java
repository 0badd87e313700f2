package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.session.SessionSummary;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * /sessions: the caller's sessions on this platform, to the caller alone. The active ones come first, numbered in
 * the order they were started (so a turn does not renumber them, and {@code /stop n} means what the list showed),
 * then the others (stopped, dead, ended, failed), most recently active first; at most {@link #MAX_LISTED}.
 */
final class SessionsCommand implements Command {

    /** Enough for every active session (the per-user limit is far lower) and the recent past; a card holds 25. */
    static final int MAX_LISTED = 20;

    @Override
    public String name() {
        return "sessions";
    }

    @Override
    public String description() {
        return "Your sessions, active first, with links to their threads";
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("sessions")) + ": your sessions, active ones first and numbered, with links";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        String user = call.actor().userId();
        List<ThreadSession> active = active(bridge, user);
        List<SessionSummary> all = Stream.concat(active.stream().map(ThreadSession::summary),
                others(bridge, user).stream()).toList();
        if (all.isEmpty()) {
            return Answer.refuse(Texts.noSessions(bridge.markup(),
                    bridge.mainPlace().name(bridge.markup()), bridge.mainPlace().messagesStartSessions()));
        }
        Markup m = bridge.markup();
        List<Card.Field> fields = new ArrayList<>();
        for (SessionSummary s : all.subList(0, Math.min(MAX_LISTED, all.size()))) {
            boolean live = s.state().active();
            String title = Texts.oneLine(s.title(), 100);
            fields.add(new Card.Field(live ? (fields.size() + 1) + ". " + title : title,
                    Texts.sessionLine(m, s.state().label(), live, live ? s.createdAt() : s.lastActivity(),
                            s.totals(), s.threadId())));
        }
        String note = Texts.sessionsNote(m, active.size(), fields.size(), all.size());
        return Answer.now(Reply.card(new Card(Texts.SESSIONS_TITLE,
                note.isEmpty() ? Optional.empty() : Optional.of(note), fields)));
    }

    /** The caller's active sessions on this platform, in the order /sessions numbers them (oldest start first). */
    static List<ThreadSession> active(Bridge bridge, String user) {
        String platform = bridge.chat().platform();
        return bridge.sessions().activeOf(user).stream().filter(s -> s.identity().platform().equals(platform))
                .sorted(Comparator.comparing((ThreadSession s) -> s.identity().createdAt())
                        .thenComparing(s -> s.identity().threadId()))
                .toList();
    }

    /** In memory or dormant; only this platform's: another platform's link would mean nothing here. */
    private static List<SessionSummary> others(Bridge bridge, String user) {
        String platform = bridge.chat().platform();
        return bridge.sessions().of(user).stream()
                .filter(s -> s.platform().equals(platform) && !s.state().active())
                .toList();
    }
}
