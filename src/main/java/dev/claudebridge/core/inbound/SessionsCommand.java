package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.session.ComponentIds;
import dev.claudebridge.core.session.SessionState;
import dev.claudebridge.core.session.SessionSummary;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * /sessions [page]: the caller's sessions on this platform, to the caller alone. The active ones come first, numbered
 * in the order they were started (so a turn does not renumber them, and {@code /stop n} means what the list showed),
 * then the others (stopped, dead, ended, failed), most recently active first; for an admin then everyone else's,
 * most recently active first. {@link #MAX_LISTED} a page. A picker under the list resumes one of the page's
 * sessions that has not ended (an admin's pick of someone else's is logged and said in its thread).
 */
final class SessionsCommand implements Command {

    private static final Logger log = LoggerFactory.getLogger(SessionsCommand.class);

    /** Enough for every active session (the per-user limit is far lower) and the recent past; a card holds 25. */
    static final int MAX_LISTED = 20;
    static final String PAGE = "page";

    @Override
    public String name() {
        return "sessions";
    }

    @Override
    public String description() {
        return "Your sessions, active first, with links to their threads and a picker to resume one";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option(PAGE, "Which page of the list (20 a page)"));
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("sessions") + " [page]") + ": your sessions (everyone's for admins), active ones first "
                + "and numbered, with links and a picker that resumes one";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        String user = call.actor().userId();
        boolean admin = bridge.isAdmin(call.actor());
        List<ThreadSession> active = active(bridge, user);
        List<SessionSummary> all = Stream.of(active.stream().map(ThreadSession::summary), others(bridge, user).stream(),
                admin ? everyoneElse(bridge, user).stream() : Stream.<SessionSummary>empty())
                .flatMap(s -> s).toList();
        if (all.isEmpty()) {
            return Answer.refuse(Texts.noSessions(bridge.markup(),
                    bridge.mainPlace().name(bridge.markup()), bridge.mainPlace().messagesStartSessions()));
        }
        int pages = (all.size() + MAX_LISTED - 1) / MAX_LISTED;
        Optional<Integer> page = page(call.option(PAGE), pages);
        if (page.isEmpty()) {
            return Answer.refuse(Texts.noSuchPage(bridge.markup(), call.option(PAGE).orElse(""), pages));
        }
        int from = (page.get() - 1) * MAX_LISTED;
        List<SessionSummary> shown = all.subList(from, Math.min(from + MAX_LISTED, all.size()));
        Markup m = bridge.markup();
        List<Card.Field> fields = new ArrayList<>();
        for (SessionSummary s : shown) {
            boolean live = s.state().active();
            boolean mine = s.ownerId().equals(user);
            String title = Texts.oneLine(s.title(), 100);
            int number = all.indexOf(s) + 1;
            fields.add(new Card.Field(live && mine ? number + ". " + title : title,
                    (mine ? "" : Texts.ownedBy(m, s.ownerId())) + Texts.sessionLine(m, s.state().label(), live,
                            live ? s.createdAt() : s.lastActivity(), s.totals(), s.threadId())));
        }
        String note = Texts.sessionsNote(m, active.size(), shown.size(), all.size(), page.get(), pages);
        Reply reply = Reply.card(new Card(admin ? Texts.ALL_SESSIONS_TITLE : Texts.SESSIONS_TITLE,
                note.isEmpty() ? Optional.empty() : Optional.of(note), fields));
        List<ChatPlatform.Option> pickable = shown.stream().filter(s -> resumable(s.state()))
                .limit(bridge.chat().maxSelectOptions())
                .map(s -> new ChatPlatform.Option(Texts.oneLine(s.title(), 100), s.threadId(),
                        s.state().label() + " · " + s.totals().promptsAnswered() + " prompts"))
                .toList();
        if (pickable.isEmpty()) {
            return Answer.now(reply);
        }
        Mono<String> expired = bridge.pendingSessions.open(call.id(), user, user);
        return Answer.now(reply.withRows(List.of(new ComponentRow.Select(
                ComponentIds.of(Bridge.SESSIONS_PICK, call.id()), Texts.RESUME_ONE, pickable, 1)), expired));
    }

    /** Page 1 when not given; empty when not a page of the list. */
    private static Optional<Integer> page(Optional<String> given, int pages) {
        if (given.isEmpty()) {
            return Optional.of(1);
        }
        try {
            int n = Integer.parseInt(given.get().strip());
            return n >= 1 && n <= pages ? Optional.of(n) : Optional.empty();
        } catch (NumberFormatException notANumber) {
            return Optional.empty();
        }
    }

    private static boolean resumable(SessionState state) {
        return state != SessionState.ENDED && state != SessionState.FAILED;
    }

    /**
     * The picker's choice: the session's CLI starts again on its conversation (a stopped or dead one), its thread
     * gets the resumed status; an active one is only linked. Its owner, or an admin (logged, said in the thread).
     */
    static ClickAnswer picked(Bridge bridge, Actor actor, ComponentIds.Parsed id, List<String> values) {
        if (bridge.pendingSessions.take(id.threadId(), actor.userId()).isEmpty()) {
            return new ClickAnswer.Refuse(Texts.NOT_YOURS_OR_EXPIRED);
        }
        Optional<ThreadSession> found = values.stream().findFirst().flatMap(bridge::session);
        if (found.isEmpty()) {
            return new ClickAnswer.Close(Optional.of(Texts.SESSION_GONE), Mono.empty());
        }
        ThreadSession session = found.get();
        String thread = session.identity().threadId();
        boolean mine = session.identity().ownerId().equals(actor.userId());
        if (!mine && !bridge.isAdmin(actor)) {
            return new ClickAnswer.Close(Optional.of(Texts.NOT_OWNER), Mono.empty());
        }
        Markup m = bridge.markup();
        SessionState state = session.state();
        if (!resumable(state)) {
            return new ClickAnswer.Close(Optional.of(Texts.endedUseNew(m)), Mono.empty());
        }
        if (state != SessionState.STOPPED && state != SessionState.DEAD) {
            return new ClickAnswer.Close(Optional.of(Texts.alreadyActive(m, thread)), Mono.empty());
        }
        Mono<Void> byAdmin = Mono.empty();
        if (!mine) {
            log.atWarn().addKeyValue("thread", thread).addKeyValue("admin", actor.userId())
                    .addKeyValue("owner", session.identity().ownerId()).log("admin resume: session resumed");
            byAdmin = bridge.chat().post(thread, ChatPlatform.OutgoingMessage.text(Texts.resumedByAdmin(m,
                    actor.userId()))).then().onErrorResume(e -> Mono.empty());
        }
        return new ClickAnswer.Work(byAdmin.then(session.revive(false))
                .thenReturn((ClickAnswer.Result) new ClickAnswer.Result.Replace(Texts.resumedFromList(m, thread)))
                .onErrorResume(e -> Mono.just(new ClickAnswer.Result.Replace(Texts.notResumedFromList(m, thread,
                        e.getMessage() == null ? e.toString() : e.getMessage())))));
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

    /** For an admin: everyone else's sessions on this platform, most recently active first. */
    private static List<SessionSummary> everyoneElse(Bridge bridge, String user) {
        return bridge.sessions().everyone(bridge.chat().platform()).stream()
                .filter(s -> !s.ownerId().equals(user))
                .toList();
    }
}
