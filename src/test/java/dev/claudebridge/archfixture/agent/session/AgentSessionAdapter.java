package dev.claudebridge.archfixture.agent.session;

import dev.claudebridge.archfixture.agent.AgentAdapter;

/**
 * ArchitectureTest fixture, never used at run time: an adapter's subpackage that depends on its own adapter, which
 * is allowed.
 */
public final class AgentSessionAdapter {
    AgentAdapter agent;
}
