package dev.claudebridge.discord;

import dev.claudebridge.core.inbound.Actor;
import dev.claudebridge.core.inbound.Answer;
import dev.claudebridge.core.inbound.Bridge;
import dev.claudebridge.core.inbound.Card;
import dev.claudebridge.core.inbound.Click;
import dev.claudebridge.core.inbound.ClickAnswer;
import dev.claudebridge.core.inbound.CommandCall;
import dev.claudebridge.core.inbound.IncomingFile;
import dev.claudebridge.core.inbound.IncomingMessage;
import dev.claudebridge.core.inbound.Reply;
import dev.claudebridge.support.Downloads;
import discord4j.common.util.Snowflake;
import discord4j.core.event.domain.interaction.ChatInputAutoCompleteEvent;
import discord4j.core.event.domain.interaction.ChatInputInteractionEvent;
import discord4j.core.event.domain.interaction.ComponentInteractionEvent;
import discord4j.core.event.domain.interaction.DeferrableInteractionEvent;
import discord4j.core.event.domain.message.MessageCreateEvent;
import discord4j.core.event.domain.thread.ThreadChannelUpdateEvent;
import discord4j.core.object.command.ApplicationCommandInteractionOption;
import discord4j.core.object.command.ApplicationCommandInteractionOptionValue;
import discord4j.core.object.component.TopLevelMessageComponent;
import discord4j.core.object.entity.Attachment;
import discord4j.discordjson.json.ApplicationCommandOptionChoiceData;
import discord4j.core.object.entity.Member;
import discord4j.core.object.entity.Message;
import discord4j.core.spec.EmbedCreateSpec;
import discord4j.rest.util.AllowedMentions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Translates Discord's gateway events into the core's inbound calls, and the core's answers into Discord's API. It
 * decides nothing: who may do what, limits and sentences come from the core ({@link Bridge}). What it knows is
 * Discord: members and their roles, bots and DMs (ignored), interactions that must be acknowledged within 3 s
 * (answered at once, or deferred at once and edited when the work is done), embeds.
 */
final class DiscordEvents {

    private static final Logger log = LoggerFactory.getLogger(DiscordEvents.class);

    private final Bridge bridge;
    private final HttpClient cdn;

    /** @param cdn fetches attachments from their URLs (Discord's CDN; in tests the fake Discord serves them) */
    DiscordEvents(Bridge bridge, HttpClient cdn) {
        this.bridge = bridge;
        this.cdn = cdn;
    }

    /**
     * One event of a lane: translated and handed to the core, which only enqueues; the platform's side (an
     * interaction's acknowledgement and what follows it, a thread to open) runs on its own, never in the lane.
     */
    Mono<Void> handle(DiscordInbound inbound) {
        Mono<Void> work = switch (inbound) {
            case DiscordInbound.Message m -> message(m.event());
            case DiscordInbound.Command c -> command(c.event());
            case DiscordInbound.Autocomplete a -> autocomplete(a.event());
            case DiscordInbound.Click c -> click(c.event(), c.values());
            case DiscordInbound.Archive a -> archived(a.event());
        };
        return Mono.fromRunnable(() -> work.subscribe(null, e -> log.error("handling {} failed",
                inbound.getClass().getSimpleName(), e)));
    }

    /**
     * An archived thread stops its session's CLI; the session stays resumable (a new message unarchives the thread
     * and resumes it). Nothing is posted: a post would unarchive the thread at once.
     */
    private Mono<Void> archived(ThreadChannelUpdateEvent event) {
        return event.getChannel().isArchived() ? bridge.archived(event.getChannel().getId().asString())
                : Mono.empty();
    }

    // ---- messages ----

    /** A message from a person in a guild; bots' messages and DMs never reach the core. */
    Mono<Void> message(MessageCreateEvent event) {
        Message message = event.getMessage();
        Optional<Member> member = event.getMember();
        if (event.getGuildId().isEmpty() || member.isEmpty() || member.get().isBot()
                || message.getAuthor().map(a -> a.isBot()).orElse(true)) {
            return Mono.empty();
        }
        return bridge.message(new IncomingMessage(actor(member.get()), message.getChannelId().asString(),
                message.getId().asString(), event.getGuildId().get().asString(), message.getContent(),
                message.getAttachments().stream().map(this::file).toList()));
    }

    /** An attachment as the core sees it: its bytes come from its CDN URL when the message is taken. */
    private IncomingFile file(Attachment attachment) {
        String url = attachment.getUrl();
        return new IncomingFile(attachment.getFilename(), attachment.getSize(),
                attachment.getContentType().orElse(""),
                max -> Downloads.get(cdn, url, max)
                        .onErrorMap(Downloads.TooLarge.class, e -> new IncomingFile.TooLarge(e.received())));
    }

    static Actor actor(Member member) {
        return Actor.member(member.getId().asString(), member.getRoleIds().stream().map(Snowflake::asString)
                .collect(Collectors.toSet()));
    }

    private static Actor actor(DeferrableInteractionEvent event) {
        return actor(event.getInteraction());
    }

    private static Actor actor(discord4j.core.object.command.Interaction interaction) {
        return interaction.getMember().map(DiscordEvents::actor)
                // Outside a guild (a DM) there is no member: not in the bot's server, so the policy refuses.
                .orElseGet(() -> new Actor(interaction.getUser().getId().asString(), java.util.Set.of(), false));
    }

    // ---- commands ----

    Mono<Void> command(ChatInputInteractionEvent event) {
        Map<String, String> options = new HashMap<>();
        for (ApplicationCommandInteractionOption option : event.getOptions()) {
            option.getValue().map(ApplicationCommandInteractionOptionValue::asString)
                    .ifPresent(v -> options.put(option.getName(), v));
        }
        CommandCall call = new CommandCall(event.getCommandName(), event.getInteraction().getId().asString(),
                actor(event), event.getInteraction().getChannelId().asString(),
                event.getInteraction().getGuildId().map(Snowflake::asString).orElse(""), options);
        return switch (bridge.command(call)) {
            case Answer.Now now -> reply(event, now.reply());
            case Answer.Later later -> event.deferReply().withEphemeral(later.ephemeral())
                    .then(later.reply())
                    .flatMap(reply -> reply.ephemeral() == later.ephemeral() ? editReply(event, reply)
                            // The acknowledgement was public and the answer is for the caller alone: a followup.
                            : event.deleteReply().then(event.createFollowup(reply.text()).withEphemeral(true)
                                    .withAllowedMentions(AllowedMentions.suppressAll()).then()));
        };
    }

    /** The core's suggestions for the option being typed, each shown and sent as itself. */
    Mono<Void> autocomplete(ChatInputAutoCompleteEvent event) {
        ApplicationCommandInteractionOption focused = event.getFocusedOption();
        String typed = focused.getValue().map(ApplicationCommandInteractionOptionValue::getRaw).orElse("");
        List<ApplicationCommandOptionChoiceData> choices = bridge.suggest(event.getCommandName(), focused.getName(),
                        typed, actor(event.getInteraction()))
                .stream()
                .map(s -> (ApplicationCommandOptionChoiceData) ApplicationCommandOptionChoiceData.builder().name(s)
                        .value(s).build())
                .toList();
        return event.respondWithSuggestions(choices);
    }

    private Mono<Void> reply(DeferrableInteractionEvent event, Reply reply) {
        return event.reply(reply.text()).withEphemeral(reply.ephemeral())
                .withComponents(rows(reply))
                .withEmbeds(embeds(reply))
                .withAllowedMentions(AllowedMentions.suppressAll())
                .then(Mono.fromRunnable(() -> whenExpired(event, reply)));
    }

    private Mono<Void> editReply(DeferrableInteractionEvent event, Reply reply) {
        return event.editReply()
                .withContentOrNull(reply.text().isEmpty() ? null : reply.text())
                .withComponentsOrNull(reply.rows().isEmpty() ? null : rows(reply))
                .withEmbedsOrNull(reply.card().isEmpty() ? null : embeds(reply))
                .withAllowedMentionsOrNull(AllowedMentions.suppressAll())
                .then(Mono.fromRunnable(() -> whenExpired(event, reply)));
    }

    /** The core says when a question it asked expired unanswered: the reply then says so and loses its components. */
    private static void whenExpired(DeferrableInteractionEvent event, Reply reply) {
        reply.expired()
                .flatMap(text -> event.editReply(text).withComponentsOrNull(List.of())
                        .withAllowedMentionsOrNull(AllowedMentions.suppressAll()))
                .subscribe(null, e -> log.debug("expiry edit failed: {}", e.toString()));
    }

    private static List<TopLevelMessageComponent> rows(Reply reply) {
        return reply.rows().stream().map(r -> (TopLevelMessageComponent) DiscordChat.row(r)).toList();
    }

    private static List<discord4j.core.spec.EmbedCreateSpec> embeds(Reply reply) {
        return reply.card().map(DiscordEvents::embed).map(List::of).orElse(List.of());
    }

    private static EmbedCreateSpec embed(Card card) {
        EmbedCreateSpec.Builder embed = EmbedCreateSpec.builder().title(card.title());
        card.description().ifPresent(embed::description);
        card.fields().forEach(f -> embed.addField(f.name(), f.value(), false));
        return embed.build();
    }

    // ---- clicks ----

    Mono<Void> click(ComponentInteractionEvent event, List<String> values) {
        return switch (bridge.click(new Click(actor(event), event.getCustomId(), values))) {
            case ClickAnswer.Refuse refuse -> event.reply(refuse.text()).withEphemeral(true)
                    .withAllowedMentions(AllowedMentions.suppressAll());
            case ClickAnswer.Close close -> close.text()
                    .map(text -> event.edit().withContent(text))
                    .orElseGet(event::edit)
                    .withComponents(List.of())
                    .withAllowedMentions(AllowedMentions.suppressAll())
                    .then(close.then());
            case ClickAnswer.Work work -> event.deferEdit().then(work.result())
                    .flatMap(result -> switch (result) {
                        case ClickAnswer.Result.Done done -> Mono.<Void>empty();
                        case ClickAnswer.Result.Replace replace -> event.editReply(replace.text())
                                .withComponentsOrNull(List.of())
                                .withAllowedMentionsOrNull(AllowedMentions.suppressAll()).then();
                        case ClickAnswer.Result.Tell tell -> event.createFollowup(tell.text()).withEphemeral(true)
                                .withAllowedMentions(AllowedMentions.suppressAll()).then();
                    });
        };
    }
}
