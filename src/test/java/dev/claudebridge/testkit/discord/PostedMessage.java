package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of one message as the fake stores it.
 *
 * @param authorId        the bot's id for the bot's messages
 * @param embeds          JSON array as Discord returns it
 * @param components      JSON array of action rows
 * @param allowedMentions the request's {@code allowed_mentions}, empty when the request had none
 * @param flags           e.g. 64 = ephemeral, 128 = a deferred reply still "thinking"
 * @param type            0 default, 19 reply, 20 reply to a slash command
 * @param createdAt       creation time (moved back by {@code ageMessage})
 * @param edits           every accepted edit in order; empty when never edited
 * @param reactions       emoji (unicode, or {@code name:id}) to the ids of the users who reacted, in order
 * @param interactionId   the interaction this message answers, if any
 * @param deleted         true once deleted (the fake keeps deleted messages for inspection)
 */
public record PostedMessage(
        String id,
        String channelId,
        String authorId,
        String content,
        JsonNode embeds,
        JsonNode components,
        List<Attachment> attachments,
        Optional<JsonNode> allowedMentions,
        int flags,
        int type,
        Instant createdAt,
        List<MessageEdit> edits,
        Map<String, List<String>> reactions,
        Optional<String> interactionId,
        boolean deleted) {

    public boolean byBot() {
        return FakeIds.FIXED.botId().equals(authorId);
    }

    public boolean ephemeral() {
        return (flags & 64) != 0;
    }

    /** The {@code custom_id}s of every button and select in the message's action rows, in order. */
    public List<String> customIds() {
        return components.findValuesAsText("custom_id");
    }
}
