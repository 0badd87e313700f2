package dev.claudebridge.archfixture.mattermost;

import dev.claudebridge.archfixture.discord.DiscordAdapter;

/**
 * ArchitectureTest fixture, never used at run time: an adapter that depends on another adapter, which the adapter
 * rule forbids.
 */
public final class MattermostUsingDiscord {
    DiscordAdapter other;
}
