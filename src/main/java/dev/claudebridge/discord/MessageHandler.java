package dev.claudebridge.discord;

import dev.claudebridge.core.session.Prompt;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.ThreadSession;
import discord4j.common.util.Snowflake;
import discord4j.core.event.domain.message.MessageCreateEvent;
import discord4j.core.object.entity.Member;
import discord4j.core.object.entity.Message;
import discord4j.discordjson.json.StartThreadFromMessageRequest;
import discord4j.rest.RestClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Messages: in the main channel an allowed user's message starts a session thread from it; in a session thread it
 * is a prompt for that session. Everything else (bots, DMs, other threads, strangers) is ignored without a word.
 * The handler only enqueues: a turn never runs here (STYLE.md G2).
 */
final class MessageHandler {

    private static final Logger log = LoggerFactory.getLogger(MessageHandler.class);

    private final RestClient rest;
    private final SessionRegistry sessions;
    private final Access access;
    private final long mainChannel;
    private final Path workspace;
    private final Clock clock;
    private final SessionStarter starter;

    MessageHandler(RestClient rest, SessionRegistry sessions, Access access, long mainChannel, Path workspace,
            Clock clock, SessionStarter starter) {
        this.rest = rest;
        this.sessions = sessions;
        this.access = access;
        this.mainChannel = mainChannel;
        this.workspace = workspace;
        this.clock = clock;
        this.starter = starter;
    }

    Mono<Void> handle(MessageCreateEvent event) {
        Message message = event.getMessage();
        Optional<Member> member = event.getMember();
        if (event.getGuildId().isEmpty() || member.isEmpty() || member.get().isBot()
                || message.getAuthor().map(a -> a.isBot()).orElse(true)) {
            return Mono.empty();
        }
        Set<Snowflake> roles = member.get().getRoleIds();
        if (!access.allows(member.get().getId(), roles) || message.getContent().isBlank()) {
            return Mono.empty();
        }
        String author = member.get().getId().asString();
        String channel = message.getChannelId().asString();
        Prompt prompt = new Prompt(message.getContent(), author, Optional.of(message.getId().asString()),
                clock.instant());
        if (message.getChannelId().asLong() == mainChannel) {
            return startFromMessage(message, prompt);
        }
        return sessions.get(channel)
                .map(session -> Mono.fromRunnable(() -> starter.offer(session, prompt)).then())
                .orElse(Mono.empty());
    }

    private Mono<Void> startFromMessage(Message message, Prompt prompt) {
        if (!starter.underLimit(prompt.authorId())) {
            return starter.refuseLimit(message.getChannelId().asString(), prompt.authorId());
        }
        String title = SessionStarter.title(prompt.text(), clock);
        return rest.getChannelService()
                .startThreadWithMessage(mainChannel, message.getId().asLong(), StartThreadFromMessageRequest.builder()
                        .name(title).autoArchiveDuration(1440).build())
                .flatMap(thread -> {
                    ThreadSession session = sessions.create(thread.id().asString(), title,
                            String.valueOf(mainChannel), message.getGuildId().map(g -> g.asString()).orElse(""),
                            prompt.authorId(), workspace, Optional.empty());
                    // The prompt's message stays in the main channel: it is not marked in the thread.
                    Prompt first = new Prompt(prompt.text(), prompt.authorId(), Optional.empty(), prompt.receivedAt());
                    return starter.begin(session, Optional.of(first));
                })
                .onErrorResume(e -> {
                    log.warn("could not start a session from message {}: {}", message.getId().asString(), e.toString());
                    return Mono.empty();
                });
    }
}
