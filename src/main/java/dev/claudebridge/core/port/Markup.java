package dev.claudebridge.core.port;

import java.time.Instant;

/**
 * How a chat platform writes what the core's sentences contain: a mention, a link to a channel, a time relative to
 * now, small print, inline code, bold. The core builds every sentence itself ({@code core.session.Texts}) and asks the
 * platform only for these pieces, so a sentence reads the same on every platform in that platform's own idiom.
 */
public interface Markup {

    /** A user named so that the platform shows their name; never a ping (messages are sent with pings off). */
    String mention(String userId);

    /** A link to a channel or thread. */
    String channel(String channelId);

    /** {@code at} relative to the reader's now ("in 5 minutes"), updated by the platform where it can. */
    String relativeTime(Instant at);

    /** A line of small print (a reply's footer). */
    String small(String text);

    /** Inline code; the text may contain backticks. */
    String code(String text);

    String bold(String text);

    /**
     * A command of the bot as a user types it on this platform ({@code new} on Discord: {@code /new}; on Mattermost:
     * {@code !new}), so no sentence names a command in another platform's way.
     */
    String command(String name);

    /**
     * A block of preformatted text, shown exactly, with {@code language} as a highlighting hint (may be empty). The
     * text may contain the platform's own fence; it must not end the block early.
     */
    String codeBlock(String language, String text);
}
