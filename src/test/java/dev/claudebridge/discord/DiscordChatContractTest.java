package dev.claudebridge.discord;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.Button;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.ChatPlatform.Option;
import dev.claudebridge.core.port.ChatPlatformContract;
import dev.claudebridge.core.port.ChatPlatformProbe;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.DiscordSimulator;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.MessageEdit;
import dev.claudebridge.testkit.discord.PostedMessage;
import discord4j.core.DiscordClient;
import discord4j.core.DiscordClientBuilder;
import discord4j.rest.request.RouterOptions;
import discord4j.rest.util.AllowedMentions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@link DiscordChat} on the real Discord4J client, built as {@code DiscordBot.start} builds it (edit pacer, global
 * limiter, default allowed mentions, metered HTTP client), against {@link FakeDiscord} with Discord's default limits.
 * The REST client is all {@code DiscordChat} uses, so there is no gateway login.
 */
final class DiscordChatContractTest extends ChatPlatformContract {

    private FakeDiscord discord;

    @Override
    protected ChatPlatform startPlatform() {
        discord = FakeDiscord.start();
        // As DiscordBot.start, but with the fake's router, and Jackson warmed up front as FakeDiscord.client()
        // does (two Discord4J threads building a (de)serializer at once park on Jackson's lock: BlockHound).
        EditPacer pacer = new EditPacer(Clock.systemUTC(), Optional.empty());
        RestMetrics rest = new RestMetrics(new SimpleMeterRegistry());
        DiscordClientBuilder<DiscordClient, RouterOptions> builder = DiscordClientBuilder.create(discord.token());
        builder.onClientResponse(pacer.responseFunction());
        builder.setGlobalRateLimiter(EditPacer.globalRateLimiter());
        builder.setDefaultAllowedMentions(AllowedMentions.suppressAll());
        builder.setReactorResources(rest.resources());
        builder.onClientResponse(rest.responseFunction());
        builder.setJacksonResources(DiscordSimulator.warmJackson());
        DiscordClient client = builder.build(discord.router());
        return new DiscordChat(client, pacer);
    }

    @Override
    protected ChatPlatformProbe probe() {
        return new FakeDiscordProbe(discord);
    }

    @Override
    protected void stopPlatform() {
        if (discord != null) {
            discord.close();
        }
    }

    /** Reads FakeDiscord's records; components are read back from Discord's JSON into the port's records. */
    private record FakeDiscordProbe(FakeDiscord discord) implements ChatPlatformProbe {

        @Override
        public String channelId() {
            return discord.ids().mainChannelId();
        }

        /** On Discord a thread started from a message has the message's id. */
        @Override
        public java.util.Optional<ServerThread> thread(String threadId) {
            return discord.threads().stream().filter(t -> t.id().equals(threadId)).findFirst()
                    .map(t -> new ServerThread(t.id(), t.parentId(), t.name(), discord.messages(t.parentId()).stream()
                            .filter(m -> m.id().equals(t.id())).map(m -> m.id()).findFirst()));
        }

        @Override
        public List<ServerMessage> messages(String channelId) {
            return discord.messages(channelId).stream().map(FakeDiscordProbe::server).toList();
        }

        @Override
        public ServerMessage message(String messageId) {
            return server(discord.message(messageId));
        }

        @Override
        public Set<String> ownReactions(String messageId) {
            String bot = discord.ids().botId();
            return discord.message(messageId).reactions().entrySet().stream()
                    .filter(e -> e.getValue().contains(bot))
                    .map(java.util.Map.Entry::getKey)
                    .collect(Collectors.toSet());
        }

        @Override
        public List<String> mentionTexts() {
            return List.of("@everyone", "@here", "<@&" + FakeUser.FRIEND.roleId() + ">",
                    "<@" + FakeUser.OWNER.id() + ">");
        }

        @Override
        public boolean pingedNobody(String messageId) {
            // The message as created (a later edit's allowed_mentions replaces the stored one), then every edit.
            PostedMessage created = discord.next(Change.MessageCreated.class, c -> c.message().id().equals(messageId),
                    Duration.ofSeconds(5)).map(Change.MessageCreated::message).block();
            PostedMessage message = discord.message(messageId);
            return suppressesAll(created.allowedMentions())
                    && message.edits().stream().map(MessageEdit::allowedMentions)
                            .allMatch(DiscordChatContractTest::suppressesAll)
                    && discord.pings().stream().noneMatch(p -> p.messageId().equals(messageId));
        }

        @Override
        public void deleteMessage(String messageId) {
            discord.deleteMessage(messageId);
        }

        @Override
        public boolean makeTooOldToEdit(String messageId) {
            discord.ageMessage(messageId, discord.settings().oldMessageAge().plus(Duration.ofMinutes(1)));
            return true;
        }

        private static ServerMessage server(PostedMessage m) {
            return new ServerMessage(m.id(), m.channelId(), m.content(), rows(m.components()),
                    m.attachments().stream().map(a -> new ServerFile(a.filename(), a.data())).toList(),
                    m.edits().size(), m.deleted());
        }
    }

    /** {@code allowed_mentions} that lets nothing through: {@code parse: []} and no users or roles listed. */
    private static boolean suppressesAll(Optional<JsonNode> allowedMentions) {
        return allowedMentions.filter(a -> a.path("parse").isArray() && a.path("parse").isEmpty()
                && a.path("users").isEmpty() && a.path("roles").isEmpty()).isPresent();
    }

    /** Discord's action rows (type 1) of buttons (type 2) or of one string select (type 3), as the port's rows. */
    static List<ComponentRow> rows(JsonNode actionRows) {
        List<ComponentRow> rows = new ArrayList<>();
        for (JsonNode row : actionRows) {
            if (row.path("type").asInt() != 1) {
                throw new AssertionError("not an action row: " + row);
            }
            JsonNode first = row.path("components").path(0);
            if (first.path("type").asInt() == 3) {
                List<Option> options = new ArrayList<>();
                first.path("options").forEach(o -> options.add(new Option(o.path("label").asText(),
                        o.path("value").asText(), o.path("description").asText(""))));
                rows.add(new ComponentRow.Select(first.path("custom_id").asText(), first.path("placeholder").asText(),
                        options, first.path("max_values").asInt(1)));
                continue;
            }
            List<Button> buttons = new ArrayList<>();
            for (JsonNode b : row.path("components")) {
                if (b.path("type").asInt() != 2) {
                    throw new AssertionError("neither a button nor a lone select: " + b);
                }
                buttons.add(new Button(b.path("custom_id").asText(), b.path("label").asText(),
                        style(b.path("style").asInt()), b.path("disabled").asBoolean(false)));
            }
            rows.add(new ComponentRow.Buttons(buttons));
        }
        return rows;
    }

    private static Button.Style style(int discordStyle) {
        return switch (discordStyle) {
            case 1 -> Button.Style.PRIMARY;
            case 2 -> Button.Style.SECONDARY;
            case 3 -> Button.Style.SUCCESS;
            case 4 -> Button.Style.DANGER;
            default -> throw new AssertionError("a button style the port never sends: " + discordStyle);
        };
    }
}
