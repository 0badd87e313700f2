package dev.claudebridge.core.session;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings the core's sessions use (a slice of the bot's configuration).
 *
 * @param attachmentMaxBytes {@code ATTACHMENT_MAX_BYTES}: the largest file a message may attach
 * @param attachmentMaxCount {@code ATTACHMENT_MAX_COUNT}: the most files one message may attach
 */
public record SessionSettings(
        Path workspaceRoot,
        int queueLimit,
        Duration permissionTimeout,
        Duration turnTimeout,
        Duration idleTimeout,
        int maxSessionsPerUser,
        int maxLiveClis,
        long attachmentMaxBytes,
        int attachmentMaxCount) {

    /** {@code ATTACHMENT_MAX_BYTES}'s default: 10 MiB. */
    public static final long ATTACHMENT_MAX_BYTES = 10L << 20;
    /** {@code ATTACHMENT_MAX_COUNT}'s default. */
    public static final int ATTACHMENT_MAX_COUNT = 10;

    /** With the attachment limits' defaults. */
    public SessionSettings(Path workspaceRoot, int queueLimit, Duration permissionTimeout, Duration turnTimeout,
            Duration idleTimeout, int maxSessionsPerUser, int maxLiveClis) {
        this(workspaceRoot, queueLimit, permissionTimeout, turnTimeout, idleTimeout, maxSessionsPerUser, maxLiveClis,
                ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_COUNT);
    }
}
