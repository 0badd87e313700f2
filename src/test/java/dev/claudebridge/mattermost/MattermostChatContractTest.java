package dev.claudebridge.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.Button;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.ChatPlatform.Option;
import dev.claudebridge.core.port.ChatPlatformContract;
import dev.claudebridge.core.port.ChatPlatformProbe;
import dev.claudebridge.testkit.FakeMattermost;
import dev.claudebridge.testkit.mattermost.FakeMattermostSettings;
import dev.claudebridge.testkit.mattermost.MmFile;
import dev.claudebridge.testkit.mattermost.MmPost;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import reactor.netty.http.client.HttpClient;

/**
 * {@link MattermostChat} as the bot builds it (Reactor Netty's client, the bot's token, a callback URL for
 * interactive actions) against {@link FakeMattermost} with an edit time limit of an hour, so that the "too old to
 * edit" case runs. The probe reads the fake's store: threads are root posts, components are read back from the
 * stored {@code props.attachments} (integration included, which clients never see), reactions are emoji names.
 */
final class MattermostChatContractTest extends ChatPlatformContract {

    private FakeMattermost mm;

    @Override
    protected ChatPlatform startPlatform() {
        mm = FakeMattermost.start(FakeMattermostSettings.defaults().withPostEditTimeLimit(3600));
        return MattermostChat.connect(HttpClient.create(), mm.url(), mm.bot().token(),
                Optional.of(new MattermostChat.Callback("http://127.0.0.1:9/mattermost/actions", "s3cret")),
                Clock.systemUTC()).block(TIMEOUT);
    }

    @Override
    protected ChatPlatformProbe probe() {
        return new FakeMattermostProbe(mm);
    }

    @Override
    protected void stopPlatform() {
        if (mm != null) {
            mm.close();
        }
    }

    /** Reads FakeMattermost's store in the port's terms. */
    private record FakeMattermostProbe(FakeMattermost mm) implements ChatPlatformProbe {
        /** The names Mattermost gives the emoji the contract reacts with (emoji-datasource short names). */
        private static final Map<String, String> EMOJI = Map.of(
                "hourglass_flowing_sand", "⏳", "warning", "⚠️", "white_check_mark", "✅");

        @Override
        public String channelId() {
            return mm.townSquare().id();
        }

        /** A channel's root posts; for a thread's id, its replies. */
        @Override
        public List<ServerMessage> messages(String channelId) {
            boolean channel = mm.allPosts().stream().noneMatch(p -> p.id().equals(channelId));
            return mm.allPosts().stream()
                    .filter(p -> channel ? p.channelId().equals(channelId) && p.rootId().isEmpty()
                            : p.rootId().equals(channelId))
                    .map(this::server).toList();
        }

        @Override
        public ServerMessage message(String messageId) {
            return server(mm.post(messageId));
        }

        @Override
        public Set<String> ownReactions(String messageId) {
            return mm.post(messageId).reactions().entrySet().stream()
                    .filter(e -> e.getValue().contains(mm.bot().id()))
                    .map(e -> EMOJI.getOrDefault(e.getKey(), e.getKey()))
                    .collect(Collectors.toSet());
        }

        @Override
        public List<String> mentionTexts() {
            return List.of("@channel", "@here", "@all", "@" + mm.owner().username(), "@" + mm.friend().username());
        }

        @Override
        public boolean pingedNobody(String messageId) {
            return mm.pings().stream().noneMatch(p -> p.postId().equals(messageId));
        }

        /**
         * A thread is a root post: one the bot opened carries its title in {@code bridge_thread_title}; any other
         * root post is a message the thread was started from.
         */
        @Override
        public Optional<ServerThread> thread(String threadId) {
            return mm.allPosts().stream().filter(p -> p.id().equals(threadId) && p.rootId().isEmpty()).findFirst()
                    .map(p -> {
                        JsonNode title = p.props().path("bridge_thread_title");
                        return new ServerThread(p.id(), p.channelId(), title.isTextual() ? title.asText() : p.message(),
                                title.isTextual() ? Optional.empty() : Optional.of(p.id()));
                    });
        }

        @Override
        public void deleteMessage(String messageId) {
            mm.deletePost(messageId);
        }

        @Override
        public boolean makeTooOldToEdit(String messageId) {
            mm.agePost(messageId, Duration.ofSeconds(mm.settings().postEditTimeLimit() + 60));
            return true;
        }

        private ServerMessage server(MmPost p) {
            return new ServerMessage(p.id(), p.rootId().isEmpty() ? p.channelId() : p.rootId(), p.message(),
                    rows(p.attachments()), p.fileIds().stream().map(id -> mm.file(id).orElseThrow())
                            .map(FakeMattermostProbe::file).toList(),
                    p.edits(), p.deleted());
        }

        private static ServerFile file(MmFile f) {
            return new ServerFile(f.name(), f.content());
        }
    }

    /** Interactive attachments as the port's rows: a lone {@code select} action is a menu, else buttons. */
    static List<ComponentRow> rows(JsonNode attachments) {
        List<ComponentRow> rows = new ArrayList<>();
        for (JsonNode attachment : attachments) {
            JsonNode actions = attachment.path("actions");
            JsonNode first = actions.path(0);
            if (first.path("type").asText().equals("select")) {
                JsonNode context = first.path("integration").path("context");
                List<Option> options = new ArrayList<>();
                first.path("options").forEach(o -> options.add(new Option(o.path("text").asText(),
                        o.path("value").asText(), context.path("descriptions").path(o.path("value").asText()).asText(""))));
                rows.add(new ComponentRow.Select(context.path("custom_id").asText(), first.path("name").asText(),
                        options, context.path("max_values").asInt(1)));
                continue;
            }
            List<Button> buttons = new ArrayList<>();
            for (JsonNode a : actions) {
                if (!a.path("type").asText().equals("button")) {
                    throw new AssertionError("neither a button nor a lone menu: " + a);
                }
                buttons.add(new Button(a.path("integration").path("context").path("custom_id").asText(),
                        a.path("name").asText(), style(a.path("style").asText()), a.path("disabled").asBoolean(false)));
            }
            rows.add(new ComponentRow.Buttons(buttons));
        }
        return rows;
    }

    private static Button.Style style(String mattermostStyle) {
        return switch (mattermostStyle) {
            case "primary" -> Button.Style.PRIMARY;
            case "default" -> Button.Style.SECONDARY;
            case "success" -> Button.Style.SUCCESS;
            case "danger" -> Button.Style.DANGER;
            default -> throw new AssertionError("a button style the port never sends: " + mattermostStyle);
        };
    }
}
