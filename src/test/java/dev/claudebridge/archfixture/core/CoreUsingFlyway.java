package dev.claudebridge.archfixture.core;

import org.flywaydb.core.Flyway;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on org.flywaydb.core.Flyway, which the
 * core rule forbids.
 */
public final class CoreUsingFlyway {
    Flyway field;
}
