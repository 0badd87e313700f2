package dev.claudebridge.mattermost;

import dev.claudebridge.core.port.Markup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Function;
import java.util.Optional;

/**
 * Mattermost's Markdown. A mention is the person's display name without {@code @} (an {@code @username} would
 * notify them). A link to a thread is the permalink of its root post ({@code /_redirect/pl/<id>}, which the web app
 * resolves to the right team). Mattermost has no live timestamp markup, so a time is written out in UTC with how
 * far it is from the moment of writing. There is no small print either: it is italic.
 */
final class MattermostMarkup implements Markup {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final String siteUrl;
    private final Function<String, Optional<String>> displayNames;

    /**
     * @param displayNames a user id's display name, when the adapter knows it
     */
    MattermostMarkup(Clock clock, String siteUrl, Function<String, Optional<String>> displayNames) {
        this.clock = clock;
        this.siteUrl = siteUrl.replaceAll("/+$", "");
        this.displayNames = displayNames;
    }

    /** The display name; an id the adapter has not learned yet is shown as code. Never an {@code @}. */
    @Override
    public String mention(String userId) {
        return displayNames.apply(userId).map(n -> n.replace("@", "")).orElseGet(() -> code(userId));
    }

    @Override
    public String channel(String channelId) {
        return siteUrl + "/_redirect/pl/" + channelId;
    }

    @Override
    public String relativeTime(Instant at) {
        long seconds = Duration.between(clock.instant(), at).toSeconds();
        long minutes = Math.round(Math.abs(seconds) / 60.0);
        String distance = minutes == 0 ? "now"
                : seconds > 0 ? "in " + minutes + " min" : minutes + " min ago";
        return UTC.format(at) + " (" + distance + ")";
    }

    @Override
    public String small(String text) {
        return "*" + text + "*";
    }

    /** Inline code cannot hold a backtick: it becomes a look-alike. */
    @Override
    public String code(String text) {
        return "`" + text.replace("`", "ʼ") + "`";
    }

    @Override
    public String bold(String text) {
        return "**" + text + "**";
    }

    /** The bot's commands are posts that start with {@code !} (slash commands belong to Mattermost itself). */
    @Override
    public String command(String name) {
        return "!" + name;
    }

    /** A fence in the text gets zero-width spaces between its backticks, so it cannot end the block. */
    @Override
    public String codeBlock(String language, String text) {
        return "```" + language + "\n" + text.replace("```", "`\u200b`\u200b`") + "\n```";
    }
}
