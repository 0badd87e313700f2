package dev.claudebridge.archfixture.core;

import reactor.netty.http.client.HttpClient;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends on reactor.netty.http.client.HttpClient,
 * which the core rule forbids.
 */
public final class CoreUsingReactorNetty {
    HttpClient field;
}
