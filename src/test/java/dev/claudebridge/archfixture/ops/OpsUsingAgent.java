package dev.claudebridge.archfixture.ops;

import dev.claudebridge.archfixture.agent.session.AgentSessionAdapter;

/**
 * ArchitectureTest fixture, never used at run time: an adapter that depends on another adapter, which the adapter
 * rule forbids.
 */
public final class OpsUsingAgent {
    AgentSessionAdapter other;
}
