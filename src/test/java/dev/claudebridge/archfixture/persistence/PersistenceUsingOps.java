package dev.claudebridge.archfixture.persistence;

import dev.claudebridge.archfixture.ops.OpsAdapter;

/**
 * ArchitectureTest fixture, never used at run time: an adapter that depends on another adapter, which the adapter
 * rule forbids.
 */
public final class PersistenceUsingOps {
    OpsAdapter other;
}
