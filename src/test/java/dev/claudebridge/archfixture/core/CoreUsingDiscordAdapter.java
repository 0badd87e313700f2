package dev.claudebridge.archfixture.core;

import dev.claudebridge.archfixture.discord.DiscordAdapter;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on
 * dev.claudebridge.archfixture.discord.DiscordAdapter, which the core rule forbids.
 */
public final class CoreUsingDiscordAdapter {
    DiscordAdapter field;
}
