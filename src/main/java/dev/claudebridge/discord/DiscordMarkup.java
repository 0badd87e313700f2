package dev.claudebridge.discord;

import dev.claudebridge.core.port.Markup;
import java.time.Instant;

/** Discord's message markup: {@code <@id>}, {@code <#id>}, {@code <t:epoch:R>} (shown in each reader's time zone). */
final class DiscordMarkup implements Markup {

    @Override
    public String mention(String userId) {
        return "<@" + userId + ">";
    }

    @Override
    public String channel(String channelId) {
        return "<#" + channelId + ">";
    }

    @Override
    public String relativeTime(Instant at) {
        return "<t:" + at.getEpochSecond() + ":R>";
    }

    /** Discord's subtext line. */
    @Override
    public String small(String text) {
        return "-# " + text;
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

    /** A slash command. */
    @Override
    public String command(String name) {
        return "/" + name;
    }

    /** Discord has no escape inside a fence: a fence in the text gets zero-width spaces between its backticks. */
    @Override
    public String codeBlock(String language, String text) {
        return "```" + language + "\n" + text.replace("```", "`\u200b`\u200b`") + "\n```";
    }
}
