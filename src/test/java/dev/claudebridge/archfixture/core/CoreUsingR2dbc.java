package dev.claudebridge.archfixture.core;

import io.r2dbc.spi.Connection;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on io.r2dbc.spi.Connection, which the
 * core rule forbids.
 */
public final class CoreUsingR2dbc {
    Connection field;
}
