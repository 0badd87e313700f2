package dev.claudebridge.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * PersistentVolumeClaims as host directories: {@code <root>/<namespace>/<claim>}, made when the claim is created,
 * removed with it. The root and each namespace directory are root's and 0700, so a pod reaches no claim but through
 * its own bind mount. A claim still mounted by a pod that has not ended is only marked for deletion (the
 * {@code kubernetes.io/pvc-protection} finalizer's job) and goes when the last such pod does.
 */
final class Claims {
    private final Path root;

    Claims(Path root) {
        this.root = root.toAbsolutePath();
        try {
            Files.createDirectories(this.root);
            Files.setPosixFilePermissions(this.root, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dir(String namespace, String name) {
        return root.resolve(namespace).resolve(name);
    }

    void make(String namespace, String name) {
        try {
            Path ns = root.resolve(namespace);
            Files.createDirectories(ns);
            Files.setPosixFilePermissions(ns, PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(dir(namespace, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void removeDir(String namespace, String name) {
        Path dir = dir(namespace, name);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a pod that has not ended mounts the claim. */
    static boolean inUse(KubeStore store, String namespace, String claim) {
        for (ObjectNode pod : store.list("pods", namespace, p -> true).items()) {
            String phase = pod.path("status").path("phase").asText("Pending");
            if (phase.equals("Succeeded") || phase.equals("Failed")) {
                continue;
            }
            for (JsonNode v : pod.path("spec").path("volumes")) {
                if (claim.equals(v.path("persistentVolumeClaim").path("claimName").asText(null))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A pod went away: claims marked for deletion that nothing mounts any more go now. */
    synchronized void podGone(KubeStore store) {
        for (ObjectNode pvc : store.list("persistentvolumeclaims", null,
                p -> p.path("metadata").has("deletionTimestamp")).items()) {
            String ns = pvc.path("metadata").path("namespace").asText();
            String name = pvc.path("metadata").path("name").asText();
            if (!inUse(store, ns, name)) {
                store.update("persistentvolumeclaims", ns, name,
                        p -> p.with("metadata").remove("finalizers"));
                store.remove("persistentvolumeclaims", ns, name);
                removeDir(ns, name);
            }
        }
    }
}
