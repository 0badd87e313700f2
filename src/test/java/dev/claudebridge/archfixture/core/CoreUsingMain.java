package dev.claudebridge.archfixture.core;

import dev.claudebridge.archfixture.Main;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on dev.claudebridge.archfixture.Main,
 * which the core rule forbids.
 */
public final class CoreUsingMain {
    Main field;
}
