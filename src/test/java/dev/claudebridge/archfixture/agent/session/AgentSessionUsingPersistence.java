package dev.claudebridge.archfixture.agent.session;

import dev.claudebridge.archfixture.persistence.PersistenceAdapter;

/**
 * ArchitectureTest fixture, never used at run time: an adapter that depends on another adapter, which the adapter
 * rule forbids.
 */
public final class AgentSessionUsingPersistence {
    PersistenceAdapter other;
}
