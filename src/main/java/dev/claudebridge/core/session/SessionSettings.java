package dev.claudebridge.core.session;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The settings the core's sessions use (a slice of the bot's configuration).
 *
 * @param attachmentMaxBytes     {@code ATTACHMENT_MAX_BYTES}: the largest file a message may attach
 * @param attachmentMaxCount     {@code ATTACHMENT_MAX_COUNT}: the most files one message may attach
 * @param modelChoices           what {@code /model} offers ({@code MODEL_CHOICES})
 * @param allowBypassPermissions whether {@code /mode} offers {@code bypassPermissions} ({@code ALLOW_BYPASS_PERMISSIONS})
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
        int attachmentMaxCount,
        List<String> modelChoices,
        boolean allowBypassPermissions) {

    /** {@code ATTACHMENT_MAX_BYTES}'s default: 10 MiB. */
    public static final long ATTACHMENT_MAX_BYTES = 10L << 20;
    /** {@code ATTACHMENT_MAX_COUNT}'s default. */
    public static final int ATTACHMENT_MAX_COUNT = 10;
    /** The CLI's aliases of its three model families: {@code MODEL_CHOICES}' default. */
    public static final List<String> DEFAULT_MODEL_CHOICES = List.of("sonnet", "opus", "haiku");

    public SessionSettings {
        modelChoices = List.copyOf(modelChoices);
    }

    /** With the defaults of the attachment limits and the model choices, bypass mode off. */
    public SessionSettings(Path workspaceRoot, int queueLimit, Duration permissionTimeout, Duration turnTimeout,
            Duration idleTimeout, int maxSessionsPerUser, int maxLiveClis) {
        this(workspaceRoot, queueLimit, permissionTimeout, turnTimeout, idleTimeout, maxSessionsPerUser, maxLiveClis,
                ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_COUNT, DEFAULT_MODEL_CHOICES, false);
    }

    /** With the given attachment limits and the default model choices, bypass mode off. */
    public SessionSettings(Path workspaceRoot, int queueLimit, Duration permissionTimeout, Duration turnTimeout,
            Duration idleTimeout, int maxSessionsPerUser, int maxLiveClis, long attachmentMaxBytes,
            int attachmentMaxCount) {
        this(workspaceRoot, queueLimit, permissionTimeout, turnTimeout, idleTimeout, maxSessionsPerUser, maxLiveClis,
                attachmentMaxBytes, attachmentMaxCount, DEFAULT_MODEL_CHOICES, false);
    }

    /** With the given model choices and the default attachment limits. */
    public SessionSettings(Path workspaceRoot, int queueLimit, Duration permissionTimeout, Duration turnTimeout,
            Duration idleTimeout, int maxSessionsPerUser, int maxLiveClis, List<String> modelChoices,
            boolean allowBypassPermissions) {
        this(workspaceRoot, queueLimit, permissionTimeout, turnTimeout, idleTimeout, maxSessionsPerUser, maxLiveClis,
                ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_COUNT, modelChoices, allowBypassPermissions);
    }
}
