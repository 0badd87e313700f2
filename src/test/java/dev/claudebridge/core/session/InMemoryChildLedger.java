package dev.claudebridge.core.session;

import dev.claudebridge.core.port.ChildLedger;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A {@link ChildLedger} in memory: the port fake for tests of the agent runtime and of the store's users. */
public final class InMemoryChildLedger implements ChildLedger {

    private final Map<Long, Child> children = new ConcurrentHashMap<>();

    @Override
    public Mono<Void> started(Child child) {
        return Mono.fromRunnable(() -> children.put(child.pid(), child));
    }

    @Override
    public Mono<Void> ended(long pid) {
        return Mono.fromRunnable(() -> children.remove(pid));
    }

    @Override
    public Flux<Child> all() {
        return Flux.defer(() -> Flux.fromIterable(new ArrayList<>(children.values())));
    }
}
