package dev.claudebridge.archfixture.core;

import dev.claudebridge.archfixture.agent.session.AgentSessionAdapter;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on
 * dev.claudebridge.archfixture.agent.session.AgentSessionAdapter, which the core rule forbids.
 */
public final class CoreUsingAgentAdapter {
    AgentSessionAdapter field;
}
