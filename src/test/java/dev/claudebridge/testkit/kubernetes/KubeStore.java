package dev.claudebridge.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The fake's etcd: every object by (resource, namespace, name), one cluster-wide {@code resourceVersion} counter,
 * and the history of every change so that a watch from any {@code resourceVersion} replays exactly what came after
 * it (nothing is compacted: a test fake never answers 410 Gone). Objects go in and out as deep copies; all methods
 * are short and in memory, so callers on any thread may use them.
 */
final class KubeStore {
    record Key(String resource, String namespace, String name) {
    }

    /** One change; {@code before} is the object before a MODIFIED (to turn selector edges into ADDED/DELETED). */
    record Change(long resourceVersion, String type, Key key, ObjectNode object, ObjectNode before) {
    }

    /** One open watch: its filter and the sink its events go to. */
    private record Watcher(String resource, String namespace, Predicate<JsonNode> filter, Sinks.Many<ObjectNode> sink) {
    }

    /** A list's items and the resourceVersion it is consistent with. */
    record Listing(List<ObjectNode> items, String resourceVersion) {
    }

    private final Map<Key, ObjectNode> objects = new LinkedHashMap<>();
    private final List<Change> history = new ArrayList<>();
    private final List<Watcher> watchers = new ArrayList<>();
    private long resourceVersion = 1000;

    /**
     * Stores a new object: sets {@code uid}, {@code resourceVersion}, {@code creationTimestamp}, {@code namespace}
     * as the API server does and gives back what was stored.
     */
    synchronized ObjectNode create(String resource, String namespace, ObjectNode object) {
        String name = object.path("metadata").path("name").asText("");
        Key key = new Key(resource, namespace, name);
        if (objects.containsKey(key)) {
            throw KubeError.alreadyExists(resource, name);
        }
        ObjectNode meta = object.with("metadata");
        meta.put("namespace", namespace);
        if (!meta.hasNonNull("uid")) {
            meta.put("uid", UUID.randomUUID().toString()); // the handler may have drawn it (a claim's volume name)
        }
        meta.put("creationTimestamp", KubeJson.time(Instant.now()));
        meta.put("resourceVersion", Long.toString(++resourceVersion));
        objects.put(key, object.deepCopy());
        record(new Change(resourceVersion, "ADDED", key, object.deepCopy(), null));
        return object;
    }

    synchronized Optional<ObjectNode> get(String resource, String namespace, String name) {
        ObjectNode o = objects.get(new Key(resource, namespace, name));
        return Optional.ofNullable(o == null ? null : o.deepCopy());
    }

    ObjectNode require(String resource, String namespace, String name) {
        return get(resource, namespace, name).orElseThrow(() -> KubeError.notFound(resource, name));
    }

    /** Changes an object in place (a new resourceVersion, a MODIFIED event); empty when it is gone. */
    synchronized Optional<ObjectNode> update(String resource, String namespace, String name,
            Consumer<ObjectNode> change) {
        Key key = new Key(resource, namespace, name);
        ObjectNode current = objects.get(key);
        if (current == null) {
            return Optional.empty();
        }
        ObjectNode before = current.deepCopy();
        change.accept(current);
        current.with("metadata").put("resourceVersion", Long.toString(++resourceVersion));
        record(new Change(resourceVersion, "MODIFIED", key, current.deepCopy(), before));
        return Optional.of(current.deepCopy());
    }

    /** Removes an object; the DELETED event carries its last state with a new resourceVersion, as etcd's does. */
    synchronized Optional<ObjectNode> remove(String resource, String namespace, String name) {
        Key key = new Key(resource, namespace, name);
        ObjectNode gone = objects.remove(key);
        if (gone == null) {
            return Optional.empty();
        }
        gone.with("metadata").put("resourceVersion", Long.toString(++resourceVersion));
        record(new Change(resourceVersion, "DELETED", key, gone.deepCopy(), null));
        return Optional.of(gone);
    }

    /** Objects of a resource in a namespace ({@code null}: all namespaces) that match, in creation order. */
    synchronized Listing list(String resource, String namespace, Predicate<JsonNode> filter) {
        List<ObjectNode> items = new ArrayList<>();
        objects.forEach((k, v) -> {
            if (k.resource().equals(resource) && (namespace == null || k.namespace().equals(namespace))
                    && filter.test(v)) {
                items.add(v.deepCopy());
            }
        });
        return new Listing(items, Long.toString(resourceVersion));
    }

    synchronized String resourceVersion() {
        return Long.toString(resourceVersion);
    }

    /**
     * A watch, as the API server serves one: without a resourceVersion (or with "0") an ADDED for every matching
     * object first, then the changes; with one, every change after it. A MODIFIED that makes an object match is an
     * ADDED, one that makes it stop matching a DELETED. Events are {@code {"type","object"}}.
     */
    synchronized Flux<ObjectNode> watch(String resource, String namespace, Predicate<JsonNode> filter,
            String fromVersion) {
        Sinks.Many<ObjectNode> sink = Sinks.many().unicast().onBackpressureBuffer();
        Watcher w = new Watcher(resource, namespace, filter, sink);
        if (fromVersion == null || fromVersion.isEmpty() || fromVersion.equals("0")) {
            for (ObjectNode o : list(resource, namespace, filter).items()) {
                sink.tryEmitNext(event("ADDED", o));
            }
        } else {
            long from;
            try {
                from = Long.parseLong(fromVersion);
            } catch (NumberFormatException e) {
                throw KubeError.badRequest("invalid resource version: " + fromVersion);
            }
            for (Change c : history) {
                if (c.resourceVersion() > from) {
                    deliver(w, c);
                }
            }
        }
        watchers.add(w);
        return sink.asFlux().doFinally(s -> forget(w));
    }

    private synchronized void forget(Watcher w) {
        watchers.remove(w);
    }

    private void record(Change c) {
        history.add(c);
        for (Watcher w : watchers) {
            deliver(w, c);
        }
    }

    private static void deliver(Watcher w, Change c) {
        if (!c.key().resource().equals(w.resource())
                || (w.namespace() != null && !c.key().namespace().equals(w.namespace()))) {
            return;
        }
        boolean now = w.filter().test(c.object());
        String type = c.type();
        if (type.equals("MODIFIED")) {
            boolean was = w.filter().test(c.before());
            if (!was && !now) {
                return;
            }
            if (was != now) {
                type = now ? "ADDED" : "DELETED";
            }
        } else if (!now) {
            return;
        }
        w.sink().tryEmitNext(event(type, c.object()));
    }

    private static ObjectNode event(String type, ObjectNode object) {
        ObjectNode e = KubeJson.object();
        e.put("type", type);
        e.set("object", object.deepCopy());
        return e;
    }
}
