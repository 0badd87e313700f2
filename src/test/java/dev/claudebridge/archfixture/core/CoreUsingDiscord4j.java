package dev.claudebridge.archfixture.core;

import discord4j.common.util.Snowflake;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on discord4j.common.util.Snowflake,
 * which the core rule forbids.
 */
public final class CoreUsingDiscord4j {
    Snowflake field;
}
