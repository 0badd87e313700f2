package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An injected interaction and what the bot did with it; guarded by the state's lock. */
final class StoredInteraction {
    static final int APPLICATION_COMMAND = 2;
    static final int MESSAGE_COMPONENT = 3;
    static final int APPLICATION_COMMAND_AUTOCOMPLETE = 4;

    final String id;
    final String token;
    final int type;
    final FakeUser user;
    final String channelId;
    final Instant createdAt;
    /** For components: the message that carries the clicked component. */
    final String messageId;
    final List<InteractionView.Callback> callbacks = new ArrayList<>();
    String originalMessageId;
    JsonNode modal;

    StoredInteraction(String id, String token, int type, FakeUser user, String channelId, Instant createdAt,
                      String messageId) {
        this.id = id;
        this.token = token;
        this.type = type;
        this.user = user;
        this.channelId = channelId;
        this.createdAt = createdAt;
        this.messageId = messageId;
    }

    InteractionView view() {
        return new InteractionView(id, token, type, user, channelId, createdAt, List.copyOf(callbacks),
                Optional.ofNullable(originalMessageId), Optional.ofNullable(modal).map(JsonNode::deepCopy));
    }
}
