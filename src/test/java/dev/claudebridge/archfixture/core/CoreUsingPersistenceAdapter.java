package dev.claudebridge.archfixture.core;

import dev.claudebridge.archfixture.persistence.PersistenceAdapter;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on
 * dev.claudebridge.archfixture.persistence.PersistenceAdapter, which the core rule forbids.
 */
public final class CoreUsingPersistenceAdapter {
    PersistenceAdapter field;
}
