package dev.claudebridge.archfixture.discord;

import dev.claudebridge.archfixture.mattermost.MattermostAdapter;

/**
 * ArchitectureTest fixture, never used at run time: an adapter that depends on another adapter, which the adapter
 * rule forbids.
 */
public final class DiscordUsingMattermost {
    MattermostAdapter other;
}
