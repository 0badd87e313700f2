package dev.claudebridge.archfixture.core;

import reactor.core.publisher.Mono;

/**
 * ArchitectureTest fixture, never used at run time: core code that depends only on Reactor Core, the JDK and the
 * core.
 */
public final class CleanCore {
    Mono<String> name() {
        return Mono.just(CleanCore.class.getSimpleName());
    }
}
