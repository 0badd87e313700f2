package dev.claudebridge.archfixture.core;

import dev.claudebridge.archfixture.ops.OpsAdapter;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on
 * dev.claudebridge.archfixture.ops.OpsAdapter, which the core rule forbids.
 */
public final class CoreUsingOpsAdapter {
    OpsAdapter field;
}
