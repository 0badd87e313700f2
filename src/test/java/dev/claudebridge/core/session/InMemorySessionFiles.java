package dev.claudebridge.core.session;

import dev.claudebridge.core.port.SessionFiles;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * Session files as a port fake: one map per test, keyed by {@code thread:path}; names are taken as the embedded
 * runtime takes them ({@code name-2.ext} when taken). A file can be made to fail its save by name.
 */
public final class InMemorySessionFiles implements SessionFiles {

    public final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** A save of a file with this name fails (as a full disk would). */
    public volatile String failing = "";

    @Override
    public Mono<String> saveAttachment(Place place, String name, byte[] content) {
        return Mono.fromCallable(() -> {
            if (name.equals(failing)) {
                throw new java.io.IOException("no space left on device");
            }
            for (int n = 1; ; n++) {
                String candidate = n == 1 ? name : name.replaceFirst("(\\.[^.]*)?$", "-" + n + "$1");
                String path = ATTACHMENTS + "/" + candidate;
                if (files.putIfAbsent(place.threadId() + ":" + path, content.clone()) == null) {
                    return path;
                }
            }
        });
    }

    @Override
    public Mono<Void> delete(Place place, String relativePath) {
        return Mono.fromRunnable(() -> files.remove(place.threadId() + ":" + relativePath));
    }

    @Override
    public Mono<FileRead> read(Place place, String path, long maxBytes) {
        return Mono.fromCallable(() -> {
            byte[] content = files.get(place.threadId() + ":" + path);
            if (content == null) {
                return new FileRead.Refused("there is no such file");
            }
            return content.length > maxBytes ? new FileRead.TooLarge(path, content.length)
                    : new FileRead.Found(path, content.clone());
        });
    }

    /** Puts a file as if saved earlier. */
    public void put(String threadId, String path, byte[] content) {
        files.put(threadId + ":" + path, content.clone());
    }
}
