package dev.claudebridge.testkit.discord;

import java.time.Instant;

/**
 * A bot message that would notify people on Discord: it contains {@code @everyone}, {@code @here} or a role
 * mention and its {@code allowed_mentions} did not forbid it (absent {@code allowed_mentions} allows everything).
 *
 * @param mention the mention that pinged: {@code @everyone}, {@code @here} or {@code <@&roleId>}
 */
public record Ping(Instant at, String messageId, String channelId, String mention) {
}
