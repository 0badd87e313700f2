package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One gateway event for every connected session.
 *
 * @param intent          the intent a session needs to receive it (0: always sent)
 * @param withoutContent  the same event with content, embeds, attachments and components blanked, sent to a
 *                        session without MESSAGE_CONTENT; null when the event is never blanked
 */
record Dispatch(String type, ObjectNode data, long intent, ObjectNode withoutContent) {
    static final long GUILDS = 1L;
    static final long GUILD_MESSAGES = 1L << 9;
    static final long GUILD_MESSAGE_REACTIONS = 1L << 10;
    static final long MESSAGE_CONTENT = 1L << 15;

    static Dispatch of(String type, ObjectNode data, long intent) {
        return new Dispatch(type, data, intent, null);
    }

    /** A message event whose content Discord hides from bots without MESSAGE_CONTENT. */
    static Dispatch gatedMessage(String type, ObjectNode message) {
        ObjectNode blank = message.deepCopy();
        blank.put("content", "");
        blank.putArray("embeds");
        blank.putArray("attachments");
        blank.putArray("components");
        return new Dispatch(type, message, GUILD_MESSAGES, blank);
    }
}
