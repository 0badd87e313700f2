package dev.claudebridge.archfixture.core;

import com.zaxxer.nuprocess.NuProcess;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on com.zaxxer.nuprocess.NuProcess, which
 * the core rule forbids.
 */
public final class CoreUsingNuProcess {
    NuProcess field;
}
