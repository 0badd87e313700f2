package dev.claudebridge.core.inbound;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A session's working directory must resolve, symlinks followed, under the workspace root (§3.11). */
final class Workspace {

    private final Path root;

    Workspace(Path root) {
        this.root = root;
    }

    /** The configured root (sessions started from a message work there). */
    Path root() {
        return root;
    }

    /** Resolves a user's directory option; empty when it escapes the root or is not a directory. Touches the disk. */
    Optional<Path> resolve(Optional<String> directory) {
        try {
            Path realRoot = root.toRealPath();
            Path wanted = directory.map(String::strip).filter(d -> !d.isEmpty())
                    .map(d -> realRoot.resolve(d.startsWith("/") ? realRoot.relativize(Path.of(d).normalize())
                            .toString() : d))
                    .orElse(realRoot);
            if (!Files.isDirectory(wanted)) {
                return Optional.empty();
            }
            Path real = wanted.toRealPath();
            return real.startsWith(realRoot) ? Optional.of(real) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
