package dev.claudebridge.archfixture.core;

import dev.claudebridge.archfixture.Application;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on
 * dev.claudebridge.archfixture.Application, which the core rule forbids.
 */
public final class CoreUsingApplication {
    Application field;
}
