package dev.claudebridge.testkit.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A post as the fake stores it, read at one moment. {@code props} is the stored JSON, interactive actions with their
 * {@code integration} (which the REST API and the WebSocket strip, as the server does). {@code rootId} is empty for a
 * root post. {@code edits} counts the patches that changed it; {@code reactions} maps an emoji name to who reacted.
 */
public record MmPost(String id, String channelId, String rootId, String userId, String message, JsonNode props,
        List<String> fileIds, long createAt, long editAt, long deleteAt, int edits,
        Map<String, Set<String>> reactions) {

    public boolean deleted() {
        return deleteAt > 0;
    }

    /** The thread this post is in: its root's id, or its own when it is a root. */
    public String threadId() {
        return rootId.isEmpty() ? id : rootId;
    }

    /** {@code props.attachments}, an empty array when there are none. */
    public JsonNode attachments() {
        JsonNode a = props.path("attachments");
        return a.isArray() ? a : MmJson.array();
    }
}
