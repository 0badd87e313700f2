package dev.claudebridge.core.session;

import java.nio.file.Path;
import java.time.Duration;

/** The settings the core's sessions use (a slice of the bot's configuration). */
public record SessionSettings(
        Path workspaceRoot,
        int queueLimit,
        Duration permissionTimeout,
        Duration turnTimeout,
        Duration idleTimeout,
        int maxSessionsPerUser,
        int maxLiveClis) {
}
