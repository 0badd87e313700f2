package dev.claudebridge.core.session;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The settings the core's sessions use (a slice of the bot's configuration).
 *
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
        List<String> modelChoices,
        boolean allowBypassPermissions) {

    /** The CLI's aliases of its three model families: {@code MODEL_CHOICES}' default. */
    public static final List<String> DEFAULT_MODEL_CHOICES = List.of("sonnet", "opus", "haiku");

    public SessionSettings {
        modelChoices = List.copyOf(modelChoices);
    }

    /** With the default model choices and bypass mode off. */
    public SessionSettings(Path workspaceRoot, int queueLimit, Duration permissionTimeout, Duration turnTimeout,
            Duration idleTimeout, int maxSessionsPerUser, int maxLiveClis) {
        this(workspaceRoot, queueLimit, permissionTimeout, turnTimeout, idleTimeout, maxSessionsPerUser, maxLiveClis,
                DEFAULT_MODEL_CHOICES, false);
    }
}
