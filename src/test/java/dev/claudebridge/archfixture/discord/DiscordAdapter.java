package dev.claudebridge.archfixture.discord;

import dev.claudebridge.archfixture.core.CleanCore;

/** ArchitectureTest fixture, never used at run time: an adapter that depends only on the core. */
public final class DiscordAdapter {
    CleanCore core;
}
