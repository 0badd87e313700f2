package dev.claudebridge.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * What a session pod's image holds, for {@link FakeKubernetes}'s pods, whose command is a host path: a file of the
 * checkout (the pinned CLI, a script CLI) made available outside {@code /tmp}. A session pod mounts an emptyDir at
 * {@code /tmp}, which hides the host's {@code /tmp} in the pod's mount namespace, and a checkout may well lie under it
 * (CI's clone did): the file is linked (or, across file systems, copied) once into {@code /var/tmp}, world-readable.
 */
public final class SessionImage {

    private static final Path ROOT = Path.of("/var/tmp/claude-bridge-session-image");

    private SessionImage() {
    }

    /** The file at a path a session pod can run, its name kept (a CLI's name may matter to it). */
    public static synchronized String file(Path source) {
        try {
            Path real = source.toRealPath();
            Path dir = ROOT.resolve(Integer.toHexString(real.toString().hashCode()) + "-" + Files.size(real) + "-"
                    + Files.getLastModifiedTime(real).toMillis());
            Path target = dir.resolve(real.getFileName());
            if (!Files.exists(target)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwxr-xr-x")));
                Files.setPosixFilePermissions(ROOT, PosixFilePermissions.fromString("rwxr-xr-x"));
                Path partial = dir.resolve(real.getFileName() + ".partial");
                try {
                    Files.createLink(partial, real);
                } catch (IOException | UnsupportedOperationException otherFileSystem) {
                    Files.copy(real, partial, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            }
            return target.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot place " + source + " where a session pod can run it", e);
        }
    }

    /** The pinned CLI ({@code claude.bin}, else {@code tools/node_modules/.bin/claude}) where a session pod runs it. */
    public static String cli() {
        return file(Path.of(System.getProperty("claude.bin", "tools/node_modules/.bin/claude")));
    }
}
