package dev.claudebridge.testkit.discord;

import java.time.Instant;

/** A text channel or a thread; mutable, guarded by the state's lock. */
final class StoredChannel {
    final String id;
    final int type;
    final String parentId;
    final String ownerId;
    final Instant createdAt;
    final int position;
    String name;
    boolean archived;
    boolean locked;
    int autoArchiveDuration = 1440;
    Instant archiveTimestamp;
    String lastMessageId;
    int messageCount;

    private StoredChannel(String id, int type, String name, String parentId, String ownerId, Instant createdAt,
                          int position) {
        this.id = id;
        this.type = type;
        this.name = name;
        this.parentId = parentId;
        this.ownerId = ownerId;
        this.createdAt = createdAt;
        this.archiveTimestamp = createdAt;
        this.position = position;
    }

    static StoredChannel text(String id, String name, int position, Instant now) {
        return new StoredChannel(id, 0, name, null, null, now, position);
    }

    static StoredChannel thread(String id, int type, String name, String parentId, String ownerId,
                                int autoArchiveDuration, Instant now) {
        StoredChannel thread = new StoredChannel(id, type, name, parentId, ownerId, now, 0);
        thread.autoArchiveDuration = autoArchiveDuration;
        return thread;
    }

    boolean isThread() {
        return type == 10 || type == 11 || type == 12;
    }

    ThreadView view() {
        return new ThreadView(id, parentId, name, type, archived, locked, autoArchiveDuration, archiveTimestamp);
    }
}
