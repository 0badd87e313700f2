package dev.claudebridge.discord;

import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.session.ComponentIds;
import dev.claudebridge.core.session.Prompt;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.SessionState;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import dev.claudebridge.core.session.Totals;
import discord4j.common.util.Snowflake;
import discord4j.core.event.domain.interaction.ButtonInteractionEvent;
import discord4j.core.event.domain.interaction.ChatInputInteractionEvent;
import discord4j.core.event.domain.interaction.ComponentInteractionEvent;
import discord4j.core.event.domain.interaction.DeferrableInteractionEvent;
import discord4j.core.event.domain.interaction.SelectMenuInteractionEvent;
import discord4j.core.object.command.ApplicationCommandInteractionOption;
import discord4j.core.object.command.ApplicationCommandInteractionOptionValue;
import discord4j.core.object.entity.Member;
import discord4j.core.object.component.TopLevelMessageComponent;
import discord4j.core.spec.EmbedCreateSpec;
import discord4j.discordjson.json.StartThreadWithoutMessageRequest;
import discord4j.rest.RestClient;
import discord4j.rest.util.AllowedMentions;
import dev.claudebridge.core.port.SessionStore;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Slash commands and component clicks. Every interaction is answered (deferred or replied) at once, well inside
 * Discord's 3 s, and the work follows; strangers get an ephemeral refusal, and only a session's owner may click
 * its buttons.
 */
final class InteractionHandler {

    private static final Logger log = LoggerFactory.getLogger(InteractionHandler.class);
    static final String NEW_CONFIRM = "newc";
    static final String STOP_PICK = "stopp";
    static final String REFUSED = "You are not allowed to use this bot.";
    static final String NOT_OWNER = "Only the session's owner can do this.";

    private final RestClient rest;
    private final ChatPlatform chat;
    private final SessionRegistry sessions;
    private final Access access;
    private final long mainChannel;
    private final Workspace workspace;
    private final Scheduler blocking;
    private final Clock clock;
    private final SessionStarter starter;
    private final Map<String, NewRequest> pendingNew = new ConcurrentHashMap<>();

    private record NewRequest(String userId, String guildId, Optional<String> prompt, Optional<String> directory,
            Optional<String> model) {
    }

    InteractionHandler(RestClient rest, ChatPlatform chat, SessionRegistry sessions, Access access, long mainChannel,
            Path workspaceRoot, Scheduler blocking, Clock clock, SessionStarter starter) {
        this.rest = rest;
        this.chat = chat;
        this.sessions = sessions;
        this.access = access;
        this.mainChannel = mainChannel;
        this.workspace = new Workspace(workspaceRoot);
        this.blocking = blocking;
        this.clock = clock;
        this.starter = starter;
    }

    // ---- commands ----

    Mono<Void> command(ChatInputInteractionEvent event) {
        Optional<Member> member = event.getInteraction().getMember();
        if (member.isEmpty() || !access.allows(member.get().getId(), member.get().getRoleIds())) {
            return ephemeral(event, REFUSED);
        }
        String user = member.get().getId().asString();
        return switch (event.getCommandName()) {
            case SlashCommands.NEW -> newSession(event, user);
            case SlashCommands.STOP -> stop(event, user);
            case SlashCommands.CONTINUE -> continueSession(event, user);
            case SlashCommands.STATUS -> status(event, user);
            case SlashCommands.EXPORT -> export(event, user);
            default -> ephemeral(event, String.join("\n", SlashCommands.HELP_LINES));
        };
    }

    private Mono<Void> newSession(ChatInputInteractionEvent event, String user) {
        if (event.getInteraction().getChannelId().asLong() != mainChannel) {
            return ephemeral(event, "Use /new in <#" + mainChannel + ">.");
        }
        NewRequest request = new NewRequest(user, event.getInteraction().getGuildId().map(g -> g.asString())
                .orElse(""), option(event, "prompt"), option(event, "directory"), option(event, "model"));
        List<ThreadSession> active = sessions.activeOf(user);
        if (active.size() >= sessions.settings().maxSessionsPerUser()) {
            return ephemeral(event, "🚫 You already have " + active.size()
                    + " active sessions (MAX_SESSIONS_PER_USER). Stop one with /stop first.");
        }
        if (!active.isEmpty()) {
            String key = event.getInteraction().getId().asString();
            pendingNew.put(key, request);
            return event.deferReply().withEphemeral(true)
                    .then(event.editReply("You already have " + active.size() + " active session(s). Start another?")
                            .withComponents(rows(List.of(new ComponentRow.Buttons(List.of(
                                    new ChatPlatform.Button(ComponentIds.of(NEW_CONFIRM, key, "start"), "Start",
                                            ChatPlatform.Button.Style.PRIMARY, false),
                                    new ChatPlatform.Button(ComponentIds.of(NEW_CONFIRM, key, "cancel"), "Cancel",
                                            ChatPlatform.Button.Style.SECONDARY, false))))))
                            .withAllowedMentionsOrNull(AllowedMentions.suppressAll()))
                    .then();
        }
        return event.deferReply().then(create(request))
                .flatMap(result -> result.threadId()
                        .map(t -> event.editReply("Session started: <#" + t + ">")
                                .withAllowedMentionsOrNull(AllowedMentions.suppressAll()).then())
                        .orElseGet(() -> event.deleteReply().then(event.createFollowup(result.refusal())
                                .withEphemeral(true).withAllowedMentions(AllowedMentions.suppressAll()).then())));
    }

    private record Created(Optional<String> threadId, String refusal) {
    }

    /** Checks the directory (on the blocking scheduler: it touches the disk), creates the thread and the session. */
    private Mono<Created> create(NewRequest request) {
        return Mono.fromCallable(() -> workspace.resolve(request.directory()))
                .subscribeOn(blocking)
                .flatMap(dir -> {
                    if (dir.isEmpty()) {
                        return Mono.just(new Created(Optional.empty(), "🚫 The directory must be an existing "
                                + "directory under the workspace root."));
                    }
                    String title = SessionStarter.title(request.prompt().orElse(""), clock);
                    return rest.getChannelService().startThreadWithoutMessage(mainChannel,
                                    StartThreadWithoutMessageRequest.builder().name(title).type(11)
                                            .autoArchiveDuration(1440).build())
                            .flatMap(thread -> {
                                ThreadSession session = sessions.create(thread.id().asString(), title,
                                        String.valueOf(mainChannel), request.guildId(), request.userId(), dir.get(),
                                        request.model());
                                Optional<Prompt> first = request.prompt().map(p -> new Prompt(p, request.userId(),
                                        Optional.empty(), clock.instant()));
                                // The CLI starts in the background; the reply links the thread at once.
                                starter.begin(session, first).subscribe(null,
                                        e -> log.warn("[T:{}] start failed: {}", thread.id().asString(), e.toString()));
                                return Mono.just(new Created(Optional.of(thread.id().asString()), ""));
                            });
                });
    }

    private Mono<Void> stop(ChatInputInteractionEvent event, String user) {
        List<ThreadSession> active = sessions.activeOf(user);
        if (active.isEmpty()) {
            return ephemeral(event, "You have no active session.");
        }
        if (active.size() == 1) {
            return event.deferReply().withEphemeral(true)
                    .then(stopSession(active.get(0)))
                    .flatMap(text -> event.editReply(text).withAllowedMentionsOrNull(AllowedMentions.suppressAll()))
                    .then();
        }
        List<ChatPlatform.Option> options = active.stream().limit(25)
                .map(s -> new ChatPlatform.Option(Texts.oneLine(s.identity().title(), 100), s.identity().threadId(),
                        s.state().label() + " · " + s.totals().promptsAnswered() + " prompts"))
                .toList();
        return event.reply("Which session should stop?").withEphemeral(true)
                .withComponents(rows(List.of(new ComponentRow.Select(ComponentIds.of(STOP_PICK, user), "Session",
                        options, 1))))
                .withAllowedMentions(AllowedMentions.suppressAll());
    }

    private Mono<String> stopSession(ThreadSession session) {
        return session.stop().map(dropped -> "Stopped <#" + session.identity().threadId() + ">"
                + (dropped.isEmpty() ? "." : "; " + dropped.size() + " queued prompt(s) dropped."));
    }

    private Mono<Void> continueSession(ChatInputInteractionEvent event, String user) {
        Optional<ThreadSession> last = sessions.of(user).stream()
                .filter(s -> s.state() != SessionState.ENDED).findFirst();
        if (last.isEmpty()) {
            return ephemeral(event, "You have no session to continue. Start one with /new.");
        }
        ThreadSession session = last.get();
        boolean dead = session.state() == SessionState.DEAD;
        String thread = session.identity().threadId();
        String text = "**" + session.identity().title() + "**\nState: " + session.state().label() + " · started <t:"
                + session.identity().createdAt().getEpochSecond() + ":R> · " + summary(session.totals());
        return event.deferReply().withEphemeral(true)
                .then(chat.post(thread, new ChatPlatform.OutgoingMessage(text,
                        dead ? session.deadButtons() : List.of(), List.of())))
                .then(event.editReply("Your most recent session: <#" + thread + ">")
                        .withAllowedMentionsOrNull(AllowedMentions.suppressAll()))
                .then();
    }

    private Mono<Void> status(ChatInputInteractionEvent event, String user) {
        List<ThreadSession> active = sessions.activeOf(user);
        EmbedCreateSpec.Builder embed = EmbedCreateSpec.builder().title("Your Claude Code sessions");
        Totals total = Totals.ZERO;
        for (ThreadSession s : active.stream().limit(20).toList()) {
            Duration age = Duration.between(s.identity().createdAt(), clock.instant());
            embed.addField(Texts.oneLine(s.identity().title(), 200), s.state().label() + " · age " + Texts.human(
                    Duration.ofSeconds(Math.max(1, age.toSeconds()))) + " · " + summary(s.totals()) + "\n<#"
                    + s.identity().threadId() + ">", false);
            total = total.plus(s.totals());
        }
        if (active.isEmpty()) {
            embed.description("No active session. Start one with /new.");
        }
        embed.addField("Active sessions", summary(total), false);
        AgentVersion cli = sessions.agentVersion();
        embed.addField("Claude Code CLI", cli.version() + cli.warning().map(w -> "\n⚠️ " + w).orElse(""), false);
        Instant today = clock.instant().truncatedTo(ChronoUnit.DAYS);
        // Per-turn figures from the store: correct across CLI restarts (each process counts from zero).
        return event.deferReply().withEphemeral(true)
                .then(Mono.zip(sessions.store().userTotals(user, today), sessions.store().userTotals(user,
                        Instant.EPOCH)))
                .flatMap(t -> event.editReply().withEmbedsOrNull(List.of(embed
                                .addField("Today (UTC)", totals(t.getT1()), false)
                                .addField("All time", totals(t.getT2()), false)
                                .build()))
                        .withAllowedMentionsOrNull(AllowedMentions.suppressAll()))
                .then();
    }

    private static String totals(SessionStore.UserTotals t) {
        return t.turns() + " prompts · " + t.tokensIn() + " tokens in · " + t.tokensOut() + " tokens out · "
                + Texts.usd(t.costUsd());
    }

    private Mono<Void> export(ChatInputInteractionEvent event, String user) {
        Optional<ThreadSession> session = sessions.get(event.getInteraction().getChannelId().asString());
        if (session.isEmpty()) {
            return ephemeral(event, "Use /export in a session's thread.");
        }
        if (!session.get().identity().ownerId().equals(user)) {
            return ephemeral(event, NOT_OWNER);
        }
        return event.deferReply().withEphemeral(true)
                .then(session.get().export())
                .then(event.editReply("Exported.").withAllowedMentionsOrNull(AllowedMentions.suppressAll()))
                .then();
    }

    static String summary(Totals t) {
        return t.promptsAnswered() + " prompts · " + t.tokensIn() + " tokens in · " + t.tokensOut()
                + " tokens out · " + Texts.usd(t.costUsd());
    }

    // ---- components ----

    Mono<Void> button(ButtonInteractionEvent event) {
        return component(event, List.of());
    }

    Mono<Void> select(SelectMenuInteractionEvent event) {
        return component(event, event.getValues());
    }

    private Mono<Void> component(ComponentInteractionEvent event, List<String> values) {
        Optional<Member> member = event.getInteraction().getMember();
        if (member.isEmpty() || !access.allows(member.get().getId(), member.get().getRoleIds())) {
            return ephemeral(event, REFUSED);
        }
        String user = member.get().getId().asString();
        Optional<ComponentIds.Parsed> parsed = ComponentIds.parse(event.getCustomId());
        if (parsed.isEmpty()) {
            return ephemeral(event, "This button is not known.");
        }
        ComponentIds.Parsed id = parsed.get();
        if (id.kind().equals(NEW_CONFIRM)) {
            return confirmNew(event, user, id);
        }
        if (id.kind().equals(STOP_PICK)) {
            return !id.threadId().equals(user) ? ephemeral(event, NOT_OWNER)
                    : event.deferEdit().then(Mono.justOrEmpty(values.stream().findFirst())
                            .flatMap(t -> Mono.justOrEmpty(sessions.get(t))).flatMap(this::stopSession)
                            .flatMap(text -> event.editReply(text).withComponentsOrNull(List.of())
                                    .withAllowedMentionsOrNull(AllowedMentions.suppressAll())).then());
        }
        Optional<ThreadSession> session = sessions.get(id.threadId());
        if (session.isEmpty()) {
            return ephemeral(event, "This session is gone.");
        }
        ThreadSession s = session.get();
        if (!s.identity().ownerId().equals(user)) {
            return ephemeral(event, NOT_OWNER);
        }
        return switch (id.kind()) {
            case ComponentIds.INTERRUPT -> event.deferEdit().then(s.interrupt());
            case ComponentIds.PERMISSION, ComponentIds.ASK -> event.deferEdit()
                    .then(s.answerPermission(id.arg(0), user, id.arg(1), values))
                    .flatMap(refusal -> event.createFollowup(refusal).withEphemeral(true)
                            .withAllowedMentions(AllowedMentions.suppressAll()).then());
            case ComponentIds.DEAD -> event.edit().withComponents(List.of())
                    .withAllowedMentions(AllowedMentions.suppressAll())
                    .then(switch (id.arg(0)) {
                        case "abort" -> s.end().then(chat.post(s.identity().threadId(),
                                ChatPlatform.OutgoingMessage.text("Session ended.")).then());
                        case "fresh" -> s.revive(true).then(chat.post(s.identity().threadId(),
                                ChatPlatform.OutgoingMessage.text("Started a fresh conversation.")).then());
                        default -> s.revive(false).then(chat.post(s.identity().threadId(),
                                ChatPlatform.OutgoingMessage.text("Resumed.")).then());
                    });
            default -> ephemeral(event, "This button is not known.");
        };
    }

    private Mono<Void> confirmNew(ComponentInteractionEvent event, String user, ComponentIds.Parsed id) {
        NewRequest request = pendingNew.get(id.threadId());
        if (request == null || !request.userId().equals(user)) {
            return ephemeral(event, "This confirmation is not yours or has expired.");
        }
        pendingNew.remove(id.threadId());
        if (id.arg(0).equals("cancel")) {
            return event.edit().withContent("Cancelled.").withComponents(List.of())
                    .withAllowedMentions(AllowedMentions.suppressAll()).then();
        }
        return event.deferEdit().then(create(request))
                .flatMap(r -> event.editReply(r.threadId().map(t -> "Session started: <#" + t + ">")
                                .orElse(r.refusal()))
                        .withComponentsOrNull(List.of())
                        .withAllowedMentionsOrNull(AllowedMentions.suppressAll()))
                .then();
    }

    // ---- helpers ----

    private static Mono<Void> ephemeral(DeferrableInteractionEvent event, String text) {
        return event.reply(text).withEphemeral(true).withAllowedMentions(AllowedMentions.suppressAll());
    }

    private static Optional<String> option(ChatInputInteractionEvent event, String name) {
        return event.getOption(name).flatMap(ApplicationCommandInteractionOption::getValue)
                .map(ApplicationCommandInteractionOptionValue::asString)
                .map(String::strip).filter(s -> !s.isEmpty());
    }

    private static List<TopLevelMessageComponent> rows(List<ComponentRow> rows) {
        return rows.stream().map(r -> (TopLevelMessageComponent) DiscordChat.row(r)).toList();
    }

}
