package dev.claudebridge.core.session;

import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.Markup;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * The chat port as a fake for the core's unit tests: it records what the core said, in plain markup. The real
 * adapters are kept honest by the chat-platform contract suite; this one only lets the core be tested alone.
 */
public final class FakeChat implements ChatPlatform {

    record Said(String channelId, String text, List<ComponentRow> rows) {
    }

    final List<Said> posts = new CopyOnWriteArrayList<>();
    final List<Said> edits = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final String platform;
    private final String commandPrefix;

    public FakeChat(String platform) {
        this(platform, "/");
    }

    /** @param commandPrefix how the platform writes a command: {@code /} as Discord, {@code !} as Mattermost */
    public FakeChat(String platform, String commandPrefix) {
        this.platform = platform;
        this.commandPrefix = commandPrefix;
    }

    @Override
    public String platform() {
        return platform;
    }

    @Override
    public Markup markup() {
        return new Markup() {
            @Override
            public String mention(String userId) {
                return "@" + userId;
            }

            @Override
            public String channel(String channelId) {
                return "#" + channelId;
            }

            @Override
            public String relativeTime(Instant at) {
                return "at " + at;
            }

            @Override
            public String small(String text) {
                return text;
            }

            @Override
            public String code(String text) {
                return "`" + text + "`";
            }

            @Override
            public String bold(String text) {
                return "*" + text + "*";
            }

            @Override
            public String command(String name) {
                return commandPrefix + name;
            }

            @Override
            public String codeBlock(String language, String text) {
                return "[" + language + "]\n" + text + "\n[/" + language + "]";
            }
        };
    }

    @Override
    public int pageLimit() {
        return 2000;
    }

    @Override
    public Duration editWindow() {
        return Duration.ofMinutes(55);
    }

    @Override
    public int maxSelectOptions() {
        return 25;
    }

    @Override
    public Mono<String> openThread(String parentChannelId, String title, Optional<String> fromMessageId) {
        return Mono.fromSupplier(() -> "thread-" + ids.incrementAndGet());
    }

    @Override
    public Mono<String> post(String channelId, OutgoingMessage message) {
        return Mono.fromSupplier(() -> {
            posts.add(new Said(channelId, message.text(), message.rows()));
            return "m" + ids.incrementAndGet();
        });
    }

    @Override
    public Mono<Void> editSlot(String channelId) {
        return Mono.empty();
    }

    @Override
    public Mono<String> edit(String channelId, String messageId, OutgoingMessage message) {
        return Mono.fromSupplier(() -> {
            edits.add(new Said(channelId, message.text(), message.rows()));
            return messageId;
        });
    }

    /** Reactions the bot added, as {@code channel/message/emoji}, in order. */
    public final List<String> reactions = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Mono<Void> react(String channelId, String messageId, String emoji) {
        return Mono.fromRunnable(() -> reactions.add(channelId + "/" + messageId + "/" + emoji));
    }

    @Override
    public Mono<Void> unreact(String channelId, String messageId, String emoji) {
        return Mono.empty();
    }

    public List<String> textsIn(String channelId) {
        return posts.stream().filter(s -> s.channelId().equals(channelId)).map(Said::text).toList();
    }
}
