package dev.claudebridge.core.port;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * What the core does on a chat platform. Ids are the platform's, as strings. Every message the platform sends
 * pings nobody (Discord: {@code allowed_mentions: {"parse": []}}).
 */
public interface ChatPlatform {

    /** The platform's name, stored with each session ({@code discord}, {@code mattermost}). */
    String platform();

    /** How the platform writes mentions, links, times, small print and code. */
    Markup markup();

    /** The longest message text, in Unicode code points (Discord: 2000). */
    int pageLimit();

    /**
     * How long after posting a message can still be edited (Discord refuses edits of messages older than an hour,
     * error 30046); a live reply continues on a new message before that.
     */
    Duration editWindow();

    /** The most options one select menu may hold (Discord: 25). */
    int maxSelectOptions();

    /**
     * The largest file the bot may attach to a message, in bytes (Discord: 10 MiB in a server without boosts;
     * Mattermost: the server's {@code MaxFileSize}).
     */
    default long uploadLimit() {
        return DEFAULT_UPLOAD_LIMIT;
    }

    /** Discord's upload limit for a bot in a server without boosts. */
    long DEFAULT_UPLOAD_LIMIT = 10L << 20;

    /**
     * Opens a thread for a new session in {@code parentChannelId}: started from the user's message when given (so
     * the message heads the thread), else an empty thread. The Mono gives the thread's id.
     */
    Mono<String> openThread(String parentChannelId, String title, Optional<String> fromMessageId);

    /** Posts a message; the Mono gives its id once the platform accepted it. */
    Mono<String> post(String channelId, OutgoingMessage message);

    /**
     * Posts a block of titled fields with optional components: Discord an embed; a platform without embeds (this
     * default, which Mattermost uses, as it renders command cards) its Markdown: a heading, each field in bold.
     */
    default Mono<String> postEmbed(String channelId, Embed embed, List<ComponentRow> rows) {
        return post(channelId, new OutgoingMessage(embed.markdown(), rows, List.of()));
    }

    /**
     * Completes when an edit in this channel fits the platform's rate limits (the channel's budget and the bot's
     * global one). A live reply waits for it before choosing which frame to send, so what it sends is fresh; other
     * edits (a permission's outcome) do not wait and go first.
     */
    Mono<Void> editSlot(String channelId);

    /**
     * Replaces a message's text and components at once (callers that want pacing wait for {@link #editSlot}
     * first). When editing fails for good
     * (or the message is too old to edit), the text is posted as a new message instead: the Mono gives the id of
     * the message that now shows it.
     */
    Mono<String> edit(String channelId, String messageId, OutgoingMessage message);

    /**
     * A session's thread ended for good: where the platform heads a thread with a message of the bot's (Mattermost's
     * root post), that message now says {@code text}. Discord's thread keeps its name: nothing to do.
     */
    default Mono<Void> markEnded(String threadId, String text) {
        return Mono.empty();
    }

    Mono<Void> react(String channelId, String messageId, String emoji);

    Mono<Void> unreact(String channelId, String messageId, String emoji);

    /** A message with optional rows of components and attached files. */
    record OutgoingMessage(String text, List<ComponentRow> rows, List<Attachment> files) {
        public OutgoingMessage {
            rows = List.copyOf(rows);
            files = List.copyOf(files);
        }

        public static OutgoingMessage text(String text) {
            return new OutgoingMessage(text, List.of(), List.of());
        }

        public OutgoingMessage withRows(List<ComponentRow> newRows) {
            return new OutgoingMessage(text, newRows, files);
        }
    }

    /** A block of titled fields (Discord: an embed). */
    record Embed(String title, Optional<String> description, List<Field> fields) {
        public Embed {
            fields = List.copyOf(fields);
        }

        public record Field(String name, String value) {
        }

        /** As Markdown: a heading, its description, each field in bold with its value below. */
        public String markdown() {
            StringBuilder s = new StringBuilder("#### ").append(title);
            description.ifPresent(d -> s.append("\n").append(d));
            for (Field f : fields) {
                s.append("\n\n**").append(f.name()).append("**\n").append(f.value());
            }
            return s.toString();
        }
    }

    /** One row of components. */
    sealed interface ComponentRow {
        record Buttons(List<Button> buttons) implements ComponentRow {
        }

        record Select(String customId, String placeholder, List<Option> options, int maxValues)
                implements ComponentRow {
        }
    }

    record Button(String customId, String label, Style style, boolean disabled) {
        public enum Style { PRIMARY, SECONDARY, SUCCESS, DANGER }
    }

    record Option(String label, String value, String description) {
    }

    record Attachment(String fileName, byte[] content) {
    }
}
