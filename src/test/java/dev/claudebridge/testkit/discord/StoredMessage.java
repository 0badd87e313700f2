package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One message; mutable, guarded by the state's lock. {@link #view()} makes the immutable public snapshot. */
final class StoredMessage {
    final String id;
    final String channelId;
    final Author author;
    final int type;
    Instant createdAt;
    String content = "";
    JsonNode embeds = Json.array();
    JsonNode components = Json.array();
    List<Attachment> attachments = new ArrayList<>();
    /** Where its attachments are served (the fake's own port; {@link DiscordState#cdn}). */
    String cdn = DiscordState.NO_CDN;
    JsonNode allowedMentions;
    JsonNode messageReference;
    int flags;
    Instant editedAt;
    boolean deleted;
    boolean hasThread;
    String interactionId;
    String webhookId;
    int editsWhileOld;
    final List<MessageEdit> edits = new ArrayList<>();
    final Map<String, List<String>> reactions = new LinkedHashMap<>();

    StoredMessage(String id, String channelId, Author author, int type, Instant createdAt) {
        this.id = id;
        this.channelId = channelId;
        this.author = author;
        this.type = type;
        this.createdAt = createdAt;
    }

    PostedMessage view() {
        Map<String, List<String>> reactionsCopy = new LinkedHashMap<>();
        reactions.forEach((emoji, users) -> reactionsCopy.put(emoji, List.copyOf(users)));
        return new PostedMessage(id, channelId, author.id(), content, embeds.deepCopy(), components.deepCopy(),
                List.copyOf(attachments), Optional.ofNullable(allowedMentions).map(JsonNode::deepCopy), flags, type,
                createdAt, List.copyOf(edits), Map.copyOf(reactionsCopy), Optional.ofNullable(interactionId),
                deleted);
    }
}
