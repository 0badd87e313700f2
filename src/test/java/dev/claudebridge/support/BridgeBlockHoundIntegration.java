package dev.claudebridge.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * The project's BlockHound setup for every test. Each allowance names one method and says why.
 */
public final class BridgeBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // Discord4J dispatches gateway events on its "d4j-events" ForkJoinPool: a handler that blocks there stalls
        // event delivery (docs/architecture.md, style P2), so those threads count as non-blocking in tests.
        builder.nonBlockingThreadPredicate(current -> current.or(t -> t.getName().startsWith("d4j-events")));
        // Jackson builds a (de)serializer once per type under a ReentrantLock; two threads meeting a new type at
        // once may park briefly. It happens once per type, never per message.
        builder.allowBlockingCallsInside("com.fasterxml.jackson.databind.deser.DeserializerCache",
                "_createAndCacheValueDeserializer");
        // An idle ForkJoinPool worker spins and parks while it waits for work: that is the pool being idle, not a
        // handler blocking (handlers never run inside these two methods).
        builder.allowBlockingCallsInside("java.util.concurrent.ForkJoinPool", "awaitWork");
        builder.allowBlockingCallsInside("java.util.concurrent.ForkJoinPool", "deactivate");
    }
}
