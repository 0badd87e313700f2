package dev.claudebridge.archfixture.core;

import dev.claudebridge.archfixture.mattermost.MattermostAdapter;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on
 * dev.claudebridge.archfixture.mattermost.MattermostAdapter, which the core rule forbids.
 */
public final class CoreUsingMattermostAdapter {
    MattermostAdapter field;
}
