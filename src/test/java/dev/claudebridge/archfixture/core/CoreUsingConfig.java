package dev.claudebridge.archfixture.core;

import dev.claudebridge.archfixture.config.FixtureConfig;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on
 * dev.claudebridge.archfixture.config.FixtureConfig, which the core rule forbids.
 */
public final class CoreUsingConfig {
    FixtureConfig field;
}
