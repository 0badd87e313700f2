package dev.claudebridge.agent;

import dev.claudebridge.core.port.SessionFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The sessions' files on the bot's own disk (the embedded runtime: each working directory is a directory under
 * {@code WORKSPACE_ROOT}). Every path is resolved to where it really leads before it is used: a working directory that
 * now leads out of {@code WORKSPACE_ROOT}, a path with {@code ..} or a link that leads out of the working directory, is
 * refused. Disk work runs on {@code blocking} (docs/architecture.md, style G5).
 */
final class LocalSessionFiles implements SessionFiles {

    /** How many {@code name-N.ext} are tried when a name is taken. */
    static final int MAX_TRIES = 1000;

    private final Path workspaceRoot;
    private final Scheduler blocking;

    LocalSessionFiles(Path workspaceRoot, Scheduler blocking) {
        this.workspaceRoot = workspaceRoot;
        this.blocking = blocking;
    }

    @Override
    public Mono<String> saveAttachment(Place place, String name, byte[] content) {
        return Mono.fromCallable(() -> {
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new IllegalArgumentException("not a plain file name: " + name);
            }
            Path dir = workDir(place);
            Path attachments = dir.resolve(ATTACHMENTS);
            Files.createDirectories(attachments);
            // attachments/ itself may be a link the agent made: it must still lie inside the working directory.
            Path real = attachments.toRealPath();
            if (!real.startsWith(dir) || !Files.isDirectory(real)) {
                throw new IOException(ATTACHMENTS + "/ leads out of the working directory");
            }
            for (int n = 1; n <= MAX_TRIES; n++) {
                String candidate = n == 1 ? name : numbered(name, n);
                try {
                    // CREATE_NEW never follows a link nor replaces a file: an existing name is skipped, not overwritten.
                    Files.write(real.resolve(candidate), content, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE);
                    return ATTACHMENTS + "/" + candidate;
                } catch (FileAlreadyExistsException taken) {
                    // the next number
                }
            }
            throw new IOException("no free name for " + name + " in " + ATTACHMENTS + "/");
        }).subscribeOn(blocking);
    }

    /** {@code report.pdf} as {@code report-2.pdf}; a name without an extension gets the number at its end. */
    static String numbered(String name, int n) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n;
    }

    @Override
    public Mono<Void> delete(Place place, String relativePath) {
        return Mono.<Void>fromCallable(() -> {
            Path dir = workDir(place);
            Path file = dir.resolve(relativePath).normalize();
            if (file.startsWith(dir.resolve(ATTACHMENTS))) {
                Files.deleteIfExists(file);
            }
            return null;
        }).subscribeOn(blocking);
    }

    @Override
    public Mono<FileRead> read(Place place, String path, long maxBytes) {
        return Mono.fromCallable(() -> {
            Path dir = workDir(place);
            Path asked;
            try {
                asked = dir.resolve(path.strip()).normalize();
            } catch (InvalidPathException e) {
                return (FileRead) new FileRead.Refused("that is not a path.");
            }
            if (!asked.startsWith(dir)) {
                return new FileRead.Refused("that path is outside the session's working directory.");
            }
            Path real;
            try {
                real = asked.toRealPath();
            } catch (NoSuchFileException e) {
                return new FileRead.Refused("there is no such file in the session's working directory.");
            }
            if (!real.startsWith(dir)) {
                return new FileRead.Refused("that path leads outside the session's working directory.");
            }
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                return new FileRead.Refused("that is not a file.");
            }
            String relative = dir.relativize(real).toString().replace('\\', '/');
            long size = Files.size(real);
            if (size > maxBytes) {
                return new FileRead.TooLarge(relative, size);
            }
            try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
                byte[] content = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 16));
                // It may have grown since it was measured.
                return content.length > maxBytes ? new FileRead.TooLarge(relative, Files.size(real))
                        : new FileRead.Found(relative, content);
            }
        }).subscribeOn(blocking);
    }

    /** The session's working directory as it really is, checked to lie under {@code WORKSPACE_ROOT}. */
    private Path workDir(Place place) throws IOException {
        Path root = workspaceRoot.toRealPath();
        Path dir;
        try {
            dir = place.workDir().toRealPath();
        } catch (NoSuchFileException e) {
            throw new IOException("the session's working directory " + place.workDir() + " is gone");
        }
        if (!dir.startsWith(root) || !Files.isDirectory(dir)) {
            throw new IOException("the session's working directory now leads outside WORKSPACE_ROOT");
        }
        return dir;
    }
}
