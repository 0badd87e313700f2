package dev.claudebridge.mattermost;

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
import dev.claudebridge.core.port.ChatPlatform.OutgoingMessage;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Translates Mattermost's posts, reactions and action callbacks into the core's inbound calls, and the core's
 * answers into posts. It decides nothing the core decides. What it knows is Mattermost: direct messages and
 * threads of root posts, {@code !} commands, no ephemeral posts for a bot (its answers are posts where the command
 * was given), controls answered by reaction or by a button's callback.
 */
final class MattermostEvents {
    private static final Logger log = LoggerFactory.getLogger(MattermostEvents.class);

    static final java.time.Duration REACTION_RETRY = java.time.Duration.ofMillis(500);

    private final Bridge bridge;
    private final MattermostChat chat;
    private final People people;
    private final MattermostPlaces places;

    MattermostEvents(Bridge bridge, MattermostChat chat, People people, MattermostPlaces places) {
        this.bridge = bridge;
        this.chat = chat;
        this.people = people;
        this.places = places;
    }

    /** The lane of an event: a session's thread, or the user for what has no session yet. */
    String lane(MattermostInbound in) {
        if (in instanceof MattermostInbound.Post p && bridge.session(p.place()).isPresent()) {
            return "thread:" + p.place();
        }
        return "user:" + in.userId();
    }

    /** One event of a lane: handed to the core, which only enqueues; the REST work runs on its own. */
    Mono<Void> handle(MattermostInbound in) {
        Mono<Void> work = switch (in) {
            case MattermostInbound.Post p -> post(p);
            case MattermostInbound.Reaction r -> reaction(r);
            case MattermostInbound.Action a -> people.actor(a.userId())
                    .flatMap(actor -> click(actor, a.postId(), a.customId(), a.values()));
        };
        return Mono.fromRunnable(() -> work.subscribe(null, e -> log.error("handling a {} failed",
                in.getClass().getSimpleName(), e)));
    }

    // ---- posts ----

    /**
     * A person's post in a direct message with the bot or the configured channel (the bot ignores the other
     * channels it is in). A {@code !} command at the top of a main place is a command (an unknown one gets the
     * help); in a thread only a known command is, and anything else is a prompt.
     */
    Mono<Void> post(MattermostInbound.Post p) {
        if (p.userId().equals(chat.botId()) || p.type().startsWith("system")
                || p.message().isBlank() && p.files().isEmpty()) {
            return Mono.empty();
        }
        if ("D".equals(p.channelType())) {
            places.learnDirect(p.channelId());
        }
        if (!places.contains(p.channelId())) {
            return Mono.empty();
        }
        Mono<Void> learn = chat.knowsUser(p.userId()) ? Mono.empty()
                : chat.learnUser(p.userId()).then().onErrorResume(e -> Mono.empty());
        return learn.then(people.actor(p.userId())).flatMap(actor -> {
            Optional<BangCommand> command = BangCommand.parse(p.message(), bridge.commands())
                    .filter(c -> c.known() || p.rootId().isEmpty());
            if (command.isPresent()) {
                return command(actor, p, command.get());
            }
            return bridge.message(new IncomingMessage(actor, p.place(), p.id(), p.teamId(), p.message(),
                    p.files().stream().map(this::file).toList()));
        });
    }

    /** A post's file as the core sees it: its bytes come from {@code GET /files/{id}} when the post is taken. */
    private IncomingFile file(MattermostInbound.File f) {
        return new IncomingFile(f.name(), f.size(), f.mimeType(), max -> chat.api().download("/files/" + f.id(), max));
    }

    private Mono<Void> command(Actor actor, MattermostInbound.Post p, BangCommand command) {
        CommandCall call = new CommandCall(command.name(), p.id(), actor, p.place(), p.teamId(), command.options());
        return switch (bridge.command(call)) {
            case Answer.Now now -> show(p.place(), now.reply());
            case Answer.Later later -> later.reply().flatMap(reply -> show(p.place(), reply));
        };
    }

    /**
     * A reply where the command was given: a bot cannot post ephemeral messages without admin rights, so every
     * answer is a post. When its question expires unanswered it says so and loses its controls.
     */
    private Mono<Void> show(String place, Reply reply) {
        String text = reply.card().map(card -> render(card) + (reply.text().isEmpty() ? "" : "\n\n" + reply.text()))
                .orElse(reply.text());
        return chat.post(place, new OutgoingMessage(text, reply.rows(), List.of()))
                .doOnNext(id -> reply.expired()
                        .flatMap(expired -> chat.closeControls(id, Optional.of(expired)))
                        .subscribe(null, e -> log.debug("expiry edit failed: {}", e.toString())))
                .then();
    }

    /** A card as Markdown: a heading, its description, each field in bold with its value below. */
    static String render(Card card) {
        StringBuilder s = new StringBuilder("#### ").append(card.title());
        card.description().ifPresent(d -> s.append("\n").append(d));
        for (Card.Field f : card.fields()) {
            s.append("\n\n**").append(f.name()).append("**\n").append(f.value());
        }
        return s.toString();
    }

    // ---- controls ----

    /** A reaction on a post whose controls are reactions: the click it stands for. The bot's own are ignored. */
    private Mono<Void> reaction(MattermostInbound.Reaction r) {
        if (r.userId().equals(chat.botId())) {
            return Mono.empty();
        }
        // A reaction can beat the bot's own bookkeeping of a post it has just made (the post is visible before the
        // answer to its creation arrives): one look again a moment later.
        return Mono.justOrEmpty(chat.reactionChoice(r.postId(), r.emojiName()))
                .switchIfEmpty(Mono.delay(REACTION_RETRY).flatMap(t -> Mono.justOrEmpty(
                        chat.reactionChoice(r.postId(), r.emojiName()))))
                .flatMap(choice -> people.actor(r.userId())
                        .flatMap(actor -> click(actor, r.postId(), choice.customId(), choice.values())));
    }

    /** A click (button, menu or reaction): the core decides; a refusal is a reply in the post's thread. */
    private Mono<Void> click(Actor actor, String postId, String customId, List<String> values) {
        return switch (bridge.click(new Click(actor, customId, values))) {
            case ClickAnswer.Refuse refuse -> say(postId, refuse.text());
            case ClickAnswer.Close close -> chat.closeControls(postId, close.text()).then(close.then());
            case ClickAnswer.Work work -> work.result().flatMap(result -> switch (result) {
                case ClickAnswer.Result.Done done -> Mono.<Void>empty();
                case ClickAnswer.Result.Replace replace -> chat.closeControls(postId, Optional.of(replace.text()));
                case ClickAnswer.Result.Tell tell -> say(postId, tell.text());
            });
        };
    }

    /** A reply in the thread of a post (the post's own thread when it is a root). */
    private Mono<Void> say(String postId, String text) {
        return chat.post(postId, OutgoingMessage.text(text)).then();
    }
}
