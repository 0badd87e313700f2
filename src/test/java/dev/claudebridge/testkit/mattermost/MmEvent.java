package dev.claudebridge.testkit.mattermost;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * A WebSocket event before it is sequenced: {@code event}, {@code data}, {@code broadcast} as
 * {@code model.WebSocketEvent} encodes them, and the users whose connections receive it.
 */
record MmEvent(String event, ObjectNode data, ObjectNode broadcast, Set<String> recipients) {

    static MmEvent toChannel(String event, ObjectNode data, String channelId, Set<String> members) {
        return new MmEvent(event, data, broadcast("", channelId), members);
    }

    static MmEvent toUser(String event, ObjectNode data, String userId) {
        return new MmEvent(event, data, broadcast(userId, ""), Set.of(userId));
    }

    private static ObjectNode broadcast(String userId, String channelId) {
        ObjectNode b = MmJson.object();
        b.putNull("omit_users");
        b.put("user_id", userId);
        b.put("channel_id", channelId);
        b.put("team_id", "");
        b.put("connection_id", "");
        b.put("omit_connection_id", "");
        return b;
    }

    /** The frame for one connection, with that connection's sequence number. */
    ObjectNode frame(long seq) {
        ObjectNode f = MmJson.object();
        f.put("event", event);
        f.set("data", data);
        f.set("broadcast", broadcast);
        f.put("seq", seq);
        return f;
    }
}
