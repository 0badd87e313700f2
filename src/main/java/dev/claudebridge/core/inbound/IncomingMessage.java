package dev.claudebridge.core.inbound;

import java.util.List;

/**
 * A user's message as the adapter saw it, already known to be from a person in a place the bot serves (the adapter
 * drops bots' messages, direct messages and other servers' before asking the core).
 *
 * @param scopeId the platform's grouping of channels (a Discord guild, a Mattermost team)
 * @param files   the files attached to it, in the platform's order
 */
public record IncomingMessage(Actor actor, String channelId, String messageId, String scopeId, String text,
        List<IncomingFile> files) {

    public IncomingMessage {
        files = List.copyOf(files);
    }

    /** A message without files. */
    public IncomingMessage(Actor actor, String channelId, String messageId, String scopeId, String text) {
        this(actor, channelId, messageId, scopeId, text, List.of());
    }
}
