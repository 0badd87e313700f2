package dev.claudebridge.testkit.discord;

import java.time.Instant;

/**
 * A thread as the fake stores it.
 *
 * @param type 11 public, 12 private
 * @param autoArchiveDuration minutes: 60, 1440, 4320 or 10080
 */
public record ThreadView(String id, String parentId, String name, int type, boolean archived, boolean locked,
                         int autoArchiveDuration, Instant archiveTimestamp) {
}
