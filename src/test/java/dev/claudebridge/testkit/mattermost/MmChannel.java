package dev.claudebridge.testkit.mattermost;

import java.util.Set;

/**
 * A channel: {@code O} open, {@code P} private, {@code D} a direct message between two users (no team; its name is
 * the two user ids, sorted, joined by {@code __}).
 */
public record MmChannel(String id, String teamId, String type, String name, String displayName, Set<String> members) {
    public MmChannel {
        members = Set.copyOf(members);
    }
}
