package dev.claudebridge.archfixture;

/** ArchitectureTest fixture, never used at run time: the fixture's composition root. */
public final class Main {
}
