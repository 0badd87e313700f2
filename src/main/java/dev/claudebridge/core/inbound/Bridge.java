package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.OutgoingMessage;
import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.port.SessionFiles;
import dev.claudebridge.core.session.ComponentIds;
import dev.claudebridge.core.session.Prompt;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.SessionState;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The core's inbound port: every use case a chat adapter can call, the same for every platform. An adapter only
 * translates its platform's events into {@link #message}, {@link #command} and {@link #click}, and their answers into
 * its platform's API; who may do what, every limit and every sentence are decided here.
 */
public final class Bridge {

    private static final Logger log = LoggerFactory.getLogger(Bridge.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);
    /** Confirmations and pickers expire well before Discord's 15-minute interaction token, so the edit still works. */
    public static final Duration CHOICE_TTL = Duration.ofMinutes(10);
    static final String NEW_CONFIRM = "newc";
    static final String STOP_PICK = "stopp";
    static final String STOP_ALL = "stopall";
    static final String SESSIONS_PICK = "sessp";

    private final SessionRegistry sessions;
    private final ChatPlatform chat;
    private final AccessPolicy access;
    private final MainPlace main;
    private final Workspace workspace;
    private final Scheduler blocking;
    private final Clock clock;
    private final Commands commands;
    final Choices<NewRequest> pendingNew;
    final Choices<String> pendingStop;
    final Choices<String> pendingStopAll;
    final Choices<String> pendingSessions;
    private final Admins admins;
    /** A thread's messages become prompts in the order they were sent, also while one's files are fetched. */
    private final InOrder order = new InOrder();

    /** What /new was asked, kept while its confirmation is open. */
    record NewRequest(String userId, String scopeId, String parentId, Optional<String> prompt,
            Optional<String> directory, Optional<String> model) {
    }

    /**
     * @param blocking where checking a directory on disk may block
     * @param timer    where confirmations expire (Reactor's parallel scheduler, or virtual time in tests)
     */
    public Bridge(SessionRegistry sessions, ChatPlatform chat, AccessPolicy access, String mainChannelId,
            Path workspaceRoot, Scheduler blocking, Scheduler timer, Clock clock, Duration choiceTtl) {
        this(sessions, chat, access, MainPlace.channel(mainChannelId), workspaceRoot, blocking, timer, clock,
                choiceTtl);
    }

    /**
     * @param main where users start sessions (Discord: one channel; Mattermost: their direct messages with the bot)
     */
    public Bridge(SessionRegistry sessions, ChatPlatform chat, AccessPolicy access, MainPlace main,
            Path workspaceRoot, Scheduler blocking, Scheduler timer, Clock clock, Duration choiceTtl) {
        this(sessions, chat, access, main, workspaceRoot, blocking, timer, clock, choiceTtl, Admins.NONE);
    }

    /** @param admins who may see and stop every session ({@link Admins}) */
    public Bridge(SessionRegistry sessions, ChatPlatform chat, AccessPolicy access, MainPlace main,
            Path workspaceRoot, Scheduler blocking, Scheduler timer, Clock clock, Duration choiceTtl, Admins admins) {
        this.admins = admins;
        this.pendingStopAll = new Choices<>(choiceTtl, timer);
        this.pendingSessions = new Choices<>(choiceTtl, timer);
        this.sessions = sessions;
        this.chat = chat;
        this.access = access;
        this.main = main;
        this.workspace = new Workspace(workspaceRoot);
        this.blocking = blocking;
        this.clock = clock;
        this.commands = Commands.all();
        this.pendingNew = new Choices<>(choiceTtl, timer);
        this.pendingStop = new Choices<>(choiceTtl, timer);
    }

    /** Whether this actor is one of the bot's admins. */
    boolean isAdmin(Actor actor) {
        return admins.includes(actor);
    }

    public List<Command> commands() {
        return commands.list();
    }

    /** The session of one of this platform's threads. */
    public Optional<ThreadSession> session(String threadId) {
        return sessions.get(chat.platform(), threadId);
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    ChatPlatform chat() {
        return chat;
    }

    Markup markup() {
        return chat.markup();
    }

    Clock clock() {
        return clock;
    }

    MainPlace mainPlace() {
        return main;
    }

    // ---- messages ----

    /**
     * A message: in a session's thread it is a prompt for that session; in the main place an allowed user's message
     * starts a session thread from it, or, where sessions start only by command, is answered with where prompts go.
     * A message in a thread that is no session is answered where the platform's main place says so (Mattermost's
     * direct messages), else ignored; anything from a stranger is ignored without a word (answering strangers in a
     * shared channel would be noise). Only enqueues: a turn never runs here.
     */
    public Mono<Void> message(IncomingMessage message) {
        if (!access.allows(message.actor()) || message.text().isBlank() && message.files().isEmpty()) {
            return Mono.empty();
        }
        Prompt prompt = new Prompt(message.text(), message.actor().userId(), Optional.of(message.messageId()),
                clock.instant());
        Optional<ThreadSession> session = sessions.get(chat.platform(), message.channelId());
        if (session.isPresent()) {
            // A message whose files are still being fetched is offered before the ones sent after it.
            return order.then(message.channelId(), withFiles(session.get(), message, prompt, message.channelId())
                    .doOnNext(p -> offer(session.get(), p)).then());
        }
        if (main.contains(message.channelId())) {
            return main.messagesStartSessions() ? startFromMessage(message, prompt)
                    : say(message.channelId(), Texts.promptsNotInMain(markup()));
        }
        return main.answersStrayThreads() ? say(message.channelId(), Texts.threadNotRecognized(markup()))
                : Mono.empty();
    }

    /**
     * The prompt with the message's files saved into the session's working directory and named in its text (images
     * also shown to the model); empty, after saying why in {@code where}, when the message is not taken (a limit, a
     * file that could not be fetched or saved): then nothing of it is kept.
     */
    private Mono<Prompt> withFiles(ThreadSession session, IncomingMessage message, Prompt prompt, String where) {
        if (message.files().isEmpty()) {
            return Mono.just(prompt);
        }
        FileIntake intake = intake();
        Optional<String> refusal = intake.refusal(message.files());
        if (refusal.isPresent()) {
            return say(where, refusal.get()).then(Mono.empty());
        }
        ThreadSession.Identity id = session.identity();
        return intake.take(new SessionFiles.Place(id.platform(), id.threadId(), id.workDir()), message.files())
                .map(saved -> new Prompt(FileIntake.promptText(prompt.text(), saved), prompt.authorId(),
                        prompt.messageId(), prompt.receivedAt(), FileIntake.images(saved)))
                .onErrorResume(FileIntake.NotTaken.class, e -> say(where, e.getMessage()).then(Mono.empty()));
    }

    private FileIntake intake() {
        return new FileIntake(sessions.files(), sessions.settings().attachmentMaxBytes(),
                sessions.settings().attachmentMaxCount(), markup());
    }

    private Mono<Void> startFromMessage(IncomingMessage message, Prompt prompt) {
        String user = prompt.authorId();
        Optional<String> refusal = message.files().isEmpty() ? Optional.empty()
                : intake().refusal(message.files());
        if (refusal.isPresent()) {
            return say(message.channelId(), refusal.get());
        }
        if (!sessions.reserveSlot(user)) {
            return chat.post(message.channelId(), OutgoingMessage.text(Texts.limitReachedIn(markup(), user,
                    sessions.settings().maxSessionsPerUser()))).then();
        }
        String title = title(prompt.text());
        String parent = message.channelId();
        // The prompt's message stays in the main channel: it is not marked in the thread.
        Prompt first = new Prompt(prompt.text(), user, Optional.empty(), prompt.receivedAt());
        return chat.openThread(parent, title, Optional.of(message.messageId()))
                .map(thread -> sessions.create(chat, thread, title, parent, message.scopeId(), user,
                        workspace.root(), Optional.empty()))
                // Its files go into the new session's working directory; a refusal then is said in the thread.
                .flatMap(session -> withFiles(session, message, first, session.identity().threadId())
                        .map(Optional::of).defaultIfEmpty(Optional.empty())
                        .flatMap(taken -> begin(session, taken)))
                .doOnError(e -> sessions.releaseSlot(user))
                .onErrorResume(e -> {
                    log.warn("could not start a session from message {}: {}", message.messageId(), e.toString());
                    return Mono.empty();
                });
    }

    /** The platform archived a session's thread: its CLI stops; the session stays resumable. */
    public Mono<Void> archived(String threadId) {
        return Mono.justOrEmpty(sessions.get(chat.platform(), threadId)).flatMap(s -> s.release(Optional.empty()));
    }

    // ---- commands ----

    /** A command: strangers are refused (to them alone); the command decides the rest. */
    public Answer command(CommandCall call) {
        if (!access.allows(call.actor())) {
            return Answer.refuse(Texts.REFUSED);
        }
        return commands.named(call.name()).run(call, this);
    }

    /**
     * What to suggest for a command's option as the user types it (Discord's autocomplete); nothing for a stranger or
     * an unknown command or option. At most {@link #MAX_SUGGESTIONS}, Discord's limit.
     */
    public List<String> suggest(String command, String option, String typed, Actor actor) {
        if (!access.allows(actor)) {
            return List.of();
        }
        return commands.list().stream().filter(c -> c.name().equals(command)).findFirst()
                .map(c -> c.suggest(option, typed, this)).orElse(List.of()).stream()
                .limit(MAX_SUGGESTIONS).toList();
    }

    /** Discord shows at most 25 suggestions. */
    public static final int MAX_SUGGESTIONS = 25;

    /** Opens a thread and a session for a /new request; the Mono gives its thread, or a refusal to show. */
    Mono<Created> create(NewRequest request) {
        return Mono.fromCallable(() -> workspace.resolve(request.directory()))
                .subscribeOn(blocking)
                .flatMap(dir -> {
                    if (dir.isEmpty()) {
                        sessions.releaseSlot(request.userId());
                        return Mono.just(new Created(Optional.empty(), Texts.BAD_DIRECTORY));
                    }
                    String title = title(request.prompt().orElse(""));
                    return chat.openThread(request.parentId(), title, Optional.empty())
                            .map(thread -> {
                                ThreadSession session = sessions.create(chat, thread, title,
                                        request.parentId(), request.scopeId(), request.userId(), dir.get(),
                                        request.model());
                                Optional<Prompt> first = request.prompt().map(p -> new Prompt(p, request.userId(),
                                        Optional.empty(), clock.instant()));
                                // The CLI starts in the background; the reply links the thread at once.
                                begin(session, first).subscribe(null,
                                        e -> log.atWarn().addKeyValue("thread", thread)
                                                .log("start failed: {}", e.toString()));
                                return new Created(Optional.of(thread), "");
                            })
                            .doOnError(e -> sessions.releaseSlot(request.userId()));
                });
    }

    record Created(Optional<String> threadId, String refusal) {
    }

    /** What every new session does first: a header in its thread, its CLI started, its first prompt offered. */
    private Mono<Void> begin(ThreadSession session, Optional<Prompt> first) {
        ThreadSession.Identity id = session.identity();
        return chat.post(id.threadId(), OutgoingMessage.text(Texts.sessionHeader(markup(), id.ownerId(), id.workDir(),
                        id.model())))
                .then(session.warmUp())
                .onErrorResume(e -> {
                    log.atWarn().addKeyValue("thread", id.threadId()).log("the CLI did not start: {}", e.toString());
                    return chat.post(id.threadId(), OutgoingMessage.text(Texts.cliNotStarted(e.getMessage()))).then();
                })
                .then(Mono.fromRunnable(() -> first.ifPresent(p -> offer(session, p))));
    }

    private void offer(ThreadSession session, Prompt prompt) {
        session.offer(prompt); // whatever becomes of it, the session says in its thread
    }

    /** /stop of one session: the reply says what was dropped. */
    Mono<String> stop(ThreadSession session) {
        return session.stop().map(dropped -> Texts.stoppedThread(markup(), session.identity().threadId(),
                dropped.size()));
    }

    /**
     * An admin stops a session that is not theirs (or all of them, {@code /stopall}): logged with who did it, and
     * said in the session's thread.
     */
    Mono<String> adminStop(ThreadSession session, Actor admin, boolean all) {
        String thread = session.identity().threadId();
        log.atWarn().addKeyValue("thread", thread).addKeyValue("admin", admin.userId())
                .addKeyValue("owner", session.identity().ownerId())
                .log(all ? "admin stop-all: session stopped" : "admin stop: session stopped");
        return say(thread, Texts.stoppedByAdmin(markup(), admin.userId(), all)).onErrorResume(e -> Mono.empty())
                .then(stop(session));
    }

    /** A thread name from the prompt's first line, else a time stamp; 1-100 characters. */
    String title(String prompt) {
        String line = prompt == null ? "" : prompt.strip().lines().findFirst().orElse("").strip();
        if (line.isEmpty()) {
            return "Session " + STAMP.format(clock.instant());
        }
        return line.codePointCount(0, line.length()) <= 100 ? line
                : line.substring(0, line.offsetByCodePoints(0, 99)) + "…";
    }

    // ---- clicks ----

    /** A click on a component: strangers are refused; only a session's owner acts on its session. */
    public ClickAnswer click(Click click) {
        if (!access.allows(click.actor())) {
            return new ClickAnswer.Refuse(Texts.REFUSED);
        }
        String user = click.actor().userId();
        Optional<ComponentIds.Parsed> parsed = ComponentIds.parse(click.customId());
        if (parsed.isEmpty()) {
            return new ClickAnswer.Refuse(Texts.UNKNOWN_BUTTON);
        }
        ComponentIds.Parsed id = parsed.get();
        if (id.kind().equals(NEW_CONFIRM)) {
            return confirmNew(user, id);
        }
        if (id.kind().equals(SESSIONS_PICK)) {
            return SessionsCommand.picked(this, click.actor(), id, click.values());
        }
        if (id.kind().equals(STOP_ALL)) {
            return StopAllCommand.confirmed(this, click.actor(), id);
        }
        if (id.kind().equals(STOP_PICK)) {
            return pendingStop.take(id.threadId(), user)
                    .<ClickAnswer>map(owner -> new ClickAnswer.Work(Mono.justOrEmpty(click.values().stream()
                                    .findFirst())
                            .flatMap(t -> Mono.justOrEmpty(sessions.get(chat.platform(), t)))
                            .filter(s -> s.identity().ownerId().equals(user))
                            .flatMap(this::stop)
                            .<ClickAnswer.Result>map(ClickAnswer.Result.Replace::new)
                            .defaultIfEmpty(new ClickAnswer.Result.Replace(Texts.SESSION_GONE))))
                    .orElse(new ClickAnswer.Refuse(Texts.NOT_YOURS_OR_EXPIRED));
        }
        Optional<ThreadSession> session = sessions.get(chat.platform(), id.threadId());
        if (session.isEmpty()) {
            return new ClickAnswer.Refuse(Texts.SESSION_GONE);
        }
        ThreadSession s = session.get();
        if (!s.identity().ownerId().equals(user)) {
            return new ClickAnswer.Refuse(Texts.NOT_OWNER);
        }
        String thread = s.identity().threadId();
        return switch (id.kind()) {
            case ComponentIds.INTERRUPT -> new ClickAnswer.Work(s.interrupt().thenReturn(ClickAnswer.DONE));
            case ComponentIds.PERMISSION, ComponentIds.ASK -> new ClickAnswer.Work(
                    s.answerPermission(id.arg(0), user, id.arg(1), click.values())
                            .<ClickAnswer.Result>map(ClickAnswer.Result.Tell::new)
                            .defaultIfEmpty(ClickAnswer.DONE));
            case ComponentIds.DEAD -> dead(s, thread, id.arg(0));
            case ComponentIds.RESUME_QUESTION -> resumeAnswer(s, id.arg(0));
            default -> new ClickAnswer.Refuse(Texts.UNKNOWN_BUTTON);
        };
    }

    /** Resume / Start fresh / Abort: only for a session that is dead or stopped (an ended one never comes back). */
    private ClickAnswer dead(ThreadSession s, String thread, String choice) {
        SessionState state = s.state();
        if (state != SessionState.DEAD && state != SessionState.STOPPED) {
            return new ClickAnswer.Refuse(Texts.NOT_DEAD);
        }
        Mono<Void> action = switch (choice) {
            case "abort" -> s.end().then(say(thread, Texts.SESSION_ENDED));
            case "fresh" -> s.revive(true).then(say(thread, Texts.STARTED_FRESH));
            // A conversation that cannot be resumed is not an error here: the thread asks Start fresh / Abort.
            default -> s.revive(false).then(say(thread, Texts.RESUMED))
                    .onErrorResume(dev.claudebridge.core.port.ResumeRefused.class, e -> Mono.empty());
        };
        return new ClickAnswer.Close(Optional.empty(), action);
    }

    /** Start fresh / Abort, when the conversation could not be resumed: only while that question is open. */
    private ClickAnswer resumeAnswer(ThreadSession s, String choice) {
        if (!s.resumeAsked()) {
            return new ClickAnswer.Refuse(Texts.REQUEST_CLOSED);
        }
        return new ClickAnswer.Close(Optional.empty(), s.answerResume(!choice.equals("abort")));
    }

    private ClickAnswer confirmNew(String user, ComponentIds.Parsed id) {
        Optional<NewRequest> request = pendingNew.take(id.threadId(), user);
        if (request.isEmpty()) {
            return new ClickAnswer.Refuse(Texts.NOT_YOURS_OR_EXPIRED);
        }
        if (id.arg(0).equals("cancel")) {
            return new ClickAnswer.Close(Optional.of(Texts.CANCELLED), Mono.empty());
        }
        if (!sessions.reserveSlot(user)) {
            return new ClickAnswer.Close(Optional.of(Texts.limitReached(markup(), sessions.activeOf(user).size())),
                    Mono.empty());
        }
        return new ClickAnswer.Work(create(request.get()).map(r -> new ClickAnswer.Result.Replace(r.threadId()
                .map(t -> Texts.sessionStarted(markup(), t)).orElse(r.refusal()))));
    }

    private Mono<Void> say(String thread, String text) {
        return chat.post(thread, OutgoingMessage.text(text)).then();
    }
}
