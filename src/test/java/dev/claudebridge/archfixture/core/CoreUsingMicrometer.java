package dev.claudebridge.archfixture.core;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on
 * io.micrometer.core.instrument.MeterRegistry, which the core rule forbids.
 */
public final class CoreUsingMicrometer {
    MeterRegistry field;
}
