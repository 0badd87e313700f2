package dev.claudebridge.archfixture.config;

/** ArchitectureTest fixture, never used at run time: the fixture's configuration. */
public final class FixtureConfig {
}
