package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;

/** The control API's JSON for the public records (snake_case, times as ISO-8601). */
final class SimJson {
    private SimJson() {
    }

    static ObjectNode message(PostedMessage m) {
        ObjectNode json = Json.object().put("id", m.id()).put("channel_id", m.channelId())
                .put("author_id", m.authorId()).put("by_bot", m.byBot()).put("content", m.content());
        json.set("embeds", m.embeds());
        json.set("components", m.components());
        ArrayNode attachments = json.putArray("attachments");
        m.attachments().forEach(a -> attachments.addObject().put("id", a.id()).put("filename", a.filename())
                .put("content_type", a.contentType()).put("size", a.size()));
        json.set("allowed_mentions", m.allowedMentions().orElse(null));
        json.put("flags", m.flags()).put("type", m.type()).put("created_at", Json.time(m.createdAt()))
                .put("interaction_id", m.interactionId().orElse(null)).put("deleted", m.deleted());
        ArrayNode edits = json.putArray("edits");
        m.edits().forEach(edit -> {
            ObjectNode e = edits.addObject().put("at", Json.time(edit.at())).put("content", edit.content());
            e.set("embeds", edit.embeds());
            e.set("components", edit.components());
            e.set("allowed_mentions", edit.allowedMentions().orElse(null));
        });
        ObjectNode reactions = json.putObject("reactions");
        m.reactions().forEach((emoji, users) -> {
            ArrayNode ids = reactions.putArray(emoji);
            users.forEach(ids::add);
        });
        return json;
    }

    static ObjectNode thread(ThreadView t) {
        return Json.object().put("id", t.id()).put("parent_id", t.parentId()).put("name", t.name())
                .put("type", t.type()).put("archived", t.archived()).put("locked", t.locked())
                .put("auto_archive_duration", t.autoArchiveDuration())
                .put("archive_timestamp", Json.time(t.archiveTimestamp()));
    }

    static ObjectNode interaction(InteractionView i) {
        ObjectNode json = Json.object().put("id", i.id()).put("token", i.token()).put("type", i.type())
                .put("user", i.user().username()).put("channel_id", i.channelId())
                .put("created_at", Json.time(i.createdAt()))
                .put("original_message_id", i.originalMessageId().orElse(null));
        ArrayNode callbacks = json.putArray("callbacks");
        i.callbacks().forEach(c -> callbacks.addObject().put("at", Json.time(c.at())).put("type", c.type())
                .set("data", c.data()));
        json.set("modal", i.modal().orElse(null));
        return json;
    }

    static ObjectNode presence(PresenceUpdate p) {
        ObjectNode json = Json.object().put("at", Json.time(p.at())).put("status", p.status())
                .put("activity_text", p.activityText());
        json.set("activities", p.activities());
        return json;
    }

    static ObjectNode ping(Ping p) {
        return Json.object().put("at", Json.time(p.at())).put("message_id", p.messageId())
                .put("channel_id", p.channelId()).put("mention", p.mention());
    }

    static ObjectNode settings(FakeDiscordSettings s) {
        return Json.object()
                .put("message_create_limit", s.messageCreate().limit())
                .put("message_create_window_ms", s.messageCreate().window().toMillis())
                .put("message_edit_limit", s.messageEdit().limit())
                .put("message_edit_window_ms", s.messageEdit().window().toMillis())
                .put("global_per_second", s.globalPerSecond())
                .put("interaction_deadline_ms", s.interactionDeadline().toMillis())
                .put("interaction_token_lifetime_ms", s.interactionTokenLifetime().toMillis())
                .put("old_message_age_ms", s.oldMessageAge().toMillis())
                .put("old_message_edits_allowed", s.oldMessageEditsAllowed())
                .put("enforce_message_content", s.enforceMessageContent())
                .put("heartbeat_interval_ms", s.heartbeatInterval().toMillis());
    }

    /** Applies the fields present in {@code body}; absent fields keep their values. */
    static FakeDiscordSettings applySettings(FakeDiscordSettings s, JsonNode body) {
        FakeDiscordSettings result = s;
        result = result.withMessageCreate(new FakeDiscordSettings.RateLimit(
                body.path("message_create_limit").asInt(s.messageCreate().limit()),
                millis(body, "message_create_window_ms", s.messageCreate().window())));
        result = result.withMessageEdit(new FakeDiscordSettings.RateLimit(
                body.path("message_edit_limit").asInt(s.messageEdit().limit()),
                millis(body, "message_edit_window_ms", s.messageEdit().window())));
        return result.withGlobalPerSecond(body.path("global_per_second").asInt(s.globalPerSecond()))
                .withInteractionDeadline(millis(body, "interaction_deadline_ms", s.interactionDeadline()))
                .withInteractionTokenLifetime(millis(body, "interaction_token_lifetime_ms",
                        s.interactionTokenLifetime()))
                .withOldMessageAge(millis(body, "old_message_age_ms", s.oldMessageAge()))
                .withOldMessageEditsAllowed(body.path("old_message_edits_allowed").asInt(s.oldMessageEditsAllowed()))
                .withEnforceMessageContent(body.path("enforce_message_content").asBoolean(s.enforceMessageContent()))
                .withHeartbeatInterval(millis(body, "heartbeat_interval_ms", s.heartbeatInterval()));
    }

    private static Duration millis(JsonNode body, String field, Duration fallback) {
        return body.has(field) ? Duration.ofMillis(body.get(field).asLong()) : fallback;
    }
}
