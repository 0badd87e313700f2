package dev.claudebridge.core.port;

import java.nio.file.Path;
import reactor.core.publisher.Mono;

/**
 * Files in a session's working directory, confined to it: what a user attaches is saved there, and {@code /download}
 * reads from there. The embedded runtime works on the bot's own disk; a runtime whose working directories the bot
 * cannot read (the kubernetes runtime's claims) goes through its agents, or says it cannot. Every method is
 * non-blocking for its caller.
 */
public interface SessionFiles {

    /** The directory, under a session's working directory, where attached files are saved. */
    String ATTACHMENTS = "attachments";

    /**
     * A session's working directory, and whose it is (a runtime that keeps it elsewhere finds it by the thread).
     *
     * @param workDir the working directory as the session knows it (under {@code WORKSPACE_ROOT})
     */
    record Place(String platform, String threadId, Path workDir) {
    }

    /**
     * Saves {@code content} as a new file in {@link #ATTACHMENTS}: under {@code name} (already a plain file name), or,
     * when that is taken, {@code name-2.ext}, {@code name-3.ext}, …; an existing file is never overwritten. Gives
     * the file's path relative to the working directory ({@code attachments/report.pdf}).
     */
    Mono<String> saveAttachment(Place place, String name, byte[] content);

    /** Deletes a file saved by {@link #saveAttachment} (a message whose files were not all saved keeps none). */
    Mono<Void> delete(Place place, String relativePath);

    /**
     * Reads a file for the chat: {@code path} is relative to the working directory (or absolute inside it); a path
     * that leads out of it, by {@code ..} or a link, is refused, and a file over {@code maxBytes} is not read.
     */
    Mono<FileRead> read(Place place, String path, long maxBytes);

    /** What a read found. */
    sealed interface FileRead {
        /** @param path the file's path relative to the working directory */
        record Found(String path, byte[] content) implements FileRead {
        }

        record TooLarge(String path, long size) implements FileRead {
        }

        /** @param why a sentence for the user (no such file, outside the working directory, a directory, …) */
        record Refused(String why) implements FileRead {
        }
    }

    /** For a runtime that cannot reach its sessions' files (yet): every call fails with {@code why}. */
    static SessionFiles unsupported(String why) {
        return new SessionFiles() {
            @Override
            public Mono<String> saveAttachment(Place place, String name, byte[] content) {
                return Mono.error(new UnsupportedOperationException(why));
            }

            @Override
            public Mono<Void> delete(Place place, String relativePath) {
                return Mono.error(new UnsupportedOperationException(why));
            }

            @Override
            public Mono<FileRead> read(Place place, String path, long maxBytes) {
                return Mono.error(new UnsupportedOperationException(why));
            }
        };
    }
}
