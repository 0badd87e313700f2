package dev.claudebridge.core.inbound;

/**
 * A user's message as the adapter saw it, already known to be from a person in a place the bot serves (the adapter
 * drops bots' messages, direct messages and other servers' before asking the core).
 *
 * @param scopeId the platform's grouping of channels (a Discord guild, a Mattermost team)
 */
public record IncomingMessage(Actor actor, String channelId, String messageId, String scopeId, String text) {
}
