package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON shapes as Discord sends them (FAKE-DISCORD-SPEC §1.5, §2.2, §3, and wire-transcript-full.txt). Discord4J
 * drops a payload that misses one required field with a single WARN, so every shape here carries the required
 * fields and the common optional ones.
 */
final class Payloads {
    static final String JOINED_AT = "2024-01-01T00:00:00.000000+00:00";
    /** Discord's default permissions of {@code @everyone} (as in the captured transcript). */
    static final String EVERYONE_PERMISSIONS = "2248473465835073";
    private static final Pattern USER_MENTION = Pattern.compile("<@!?(\\d+)>");
    private static final Pattern ROLE_MENTION = Pattern.compile("<@&(\\d+)>");

    private Payloads() {
    }

    static ObjectNode user(Author author) {
        ObjectNode user = Json.object().put("id", author.id()).put("username", author.username())
                .put("discriminator", "0").put("global_name", author.globalName()).putNull("avatar");
        if (author.bot()) {
            user.put("bot", true);
        }
        return user;
    }

    /** A guild member without {@code user} (the shape inside MESSAGE_CREATE). */
    static ObjectNode member(Author author) {
        ObjectNode member = Json.object();
        ArrayNode roles = member.putArray("roles");
        author.user().ifPresent(user -> roles.add(user.roleId()));
        return member.put("joined_at", JOINED_AT).put("deaf", false).put("mute", false).put("flags", 0)
                .putNull("premium_since").put("pending", false);
    }

    static ObjectNode memberWithUser(Author author) {
        ObjectNode member = member(author);
        member.set("user", user(author));
        return member;
    }

    static ObjectNode message(StoredMessage m, FakeIds ids) {
        ObjectNode json = Json.object().put("id", m.id).put("channel_id", m.channelId).put("guild_id", ids.guildId());
        json.set("author", user(m.author));
        json.put("content", m.content).put("timestamp", Json.time(m.createdAt));
        if (m.editedAt == null) {
            json.putNull("edited_timestamp");
        } else {
            json.put("edited_timestamp", Json.time(m.editedAt));
        }
        json.put("tts", false).put("mention_everyone", mentionsEveryone(m.content));
        ArrayNode mentions = json.putArray("mentions");
        Matcher users = USER_MENTION.matcher(m.content);
        while (users.find()) {
            knownAuthor(users.group(1)).ifPresent(a -> mentions.add(user(a)));
        }
        ArrayNode roles = json.putArray("mention_roles");
        Matcher roleMatcher = ROLE_MENTION.matcher(m.content);
        while (roleMatcher.find()) {
            roles.add(roleMatcher.group(1));
        }
        ArrayNode attachments = json.putArray("attachments");
        m.attachments.forEach(a -> attachments.add(attachment(a, m.channelId, m.cdn)));
        json.set("embeds", m.embeds.deepCopy());
        json.set("components", m.components.deepCopy());
        json.put("pinned", false).put("type", m.type).put("flags", m.flags);
        if (m.webhookId != null) {
            json.put("webhook_id", m.webhookId).put("application_id", ids.applicationId());
        }
        if (m.messageReference != null) {
            json.set("message_reference", m.messageReference.deepCopy());
        }
        if (m.hasThread) {
            json.put("position", 0);
        }
        return json;
    }

    /** The MESSAGE_CREATE form: the REST form plus the author's partial {@code member} (absent for webhooks). */
    static ObjectNode messageDispatch(StoredMessage m, FakeIds ids, int channelType) {
        ObjectNode json = message(m, ids);
        if (m.webhookId == null) {
            json.set("member", member(m.author));
        }
        json.put("channel_type", channelType);
        return json;
    }

    static boolean mentionsEveryone(String content) {
        return content.contains("@everyone") || content.contains("@here");
    }

    static java.util.Optional<Author> knownAuthor(String id) {
        try {
            return java.util.Optional.of(Author.byId(id));
        } catch (IllegalArgumentException unknown) {
            return java.util.Optional.empty();
        }
    }

    static Collection<String> roleMentions(String content) {
        java.util.List<String> roles = new java.util.ArrayList<>();
        Matcher matcher = ROLE_MENTION.matcher(content);
        while (matcher.find()) {
            roles.add(matcher.group(1));
        }
        return roles;
    }

    /**
     * As Discord's CDN URLs since 2024: signed with {@code ex} (expiry), {@code is} (issued) and {@code hm} (the
     * signature) in the query; without them the CDN refuses the file ({@link Cdn}).
     */
    static ObjectNode attachment(Attachment a, String channelId, String cdn) {
        String url = cdn + Cdn.PREFIX + channelId + "/" + a.id() + "/"
                + java.net.URLEncoder.encode(a.filename(), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")
                + "?ex=" + Cdn.EXPIRES + "&is=" + Cdn.ISSUED + "&hm=" + Cdn.signature(a.id()) + "&";
        return Json.object().put("id", a.id()).put("filename", a.filename()).put("size", a.size())
                .put("url", url).put("proxy_url", url).put("content_type", a.contentType());
    }

    static ObjectNode channel(StoredChannel c, FakeIds ids) {
        ObjectNode json = Json.object().put("id", c.id).put("type", c.type).put("guild_id", ids.guildId())
                .put("name", c.name);
        if (!c.isThread()) {
            json.put("position", c.position).putArray("permission_overwrites");
            return json.putNull("parent_id").putNull("topic").put("nsfw", false)
                    .put("last_message_id", c.lastMessageId).put("rate_limit_per_user", 0);
        }
        json.put("parent_id", c.parentId).put("owner_id", c.ownerId).put("last_message_id", c.lastMessageId)
                .put("rate_limit_per_user", 0).put("message_count", c.messageCount)
                .put("total_message_sent", c.messageCount).put("member_count", 1).put("flags", 0);
        json.putObject("thread_metadata").put("archived", c.archived)
                .put("auto_archive_duration", c.autoArchiveDuration)
                .put("archive_timestamp", Json.time(c.archiveTimestamp)).put("locked", c.locked)
                .put("create_timestamp", Json.time(c.createdAt));
        return json;
    }

    static ObjectNode role(String id, String name, int position) {
        ObjectNode role = Json.object().put("id", id).put("name", name).put("color", 0).put("hoist", false)
                .put("position", position).put("permissions", EVERYONE_PERMISSIONS).put("managed", false)
                .put("mentionable", true).put("flags", 0);
        role.putObject("colors").put("primary_color", 0).putNull("secondary_color").putNull("tertiary_color");
        return role;
    }

    static ArrayNode roles(FakeIds ids) {
        ArrayNode roles = Json.array();
        roles.add(role(ids.guildId(), "@everyone", 0));
        int position = 1;
        for (FakeUser user : FakeUser.values()) {
            roles.add(role(user.roleId(), user.roleName(), position++));
        }
        return roles;
    }

    static ArrayNode members() {
        ArrayNode members = Json.array();
        members.add(memberWithUser(Author.BOT));
        for (FakeUser user : FakeUser.values()) {
            members.add(memberWithUser(Author.of(user)));
        }
        return members;
    }

    static ObjectNode guild(FakeIds ids) {
        ObjectNode guild = Json.object().put("id", ids.guildId()).put("name", "Test Guild").putNull("icon")
                .putNull("splash").putNull("discovery_splash").put("owner_id", FakeUser.OWNER.id())
                .putNull("afk_channel_id").put("afk_timeout", 300).put("verification_level", 0)
                .put("default_message_notifications", 0).put("explicit_content_filter", 0).put("mfa_level", 0)
                .putNull("application_id").putNull("system_channel_id").put("system_channel_flags", 0)
                .putNull("rules_channel_id").putNull("vanity_url_code").putNull("description").putNull("banner")
                .put("premium_tier", 0).put("preferred_locale", "en-US").putNull("public_updates_channel_id")
                .put("nsfw_level", 0).putNull("safety_alerts_channel_id");
        guild.putArray("features");
        guild.set("roles", roles(ids));
        guild.putArray("emojis");
        guild.putArray("stickers");
        return guild;
    }

    static ObjectNode guildCreate(FakeIds ids, Collection<StoredChannel> channels) {
        ObjectNode guild = guild(ids);
        guild.put("joined_at", JOINED_AT).put("large", false).put("unavailable", false)
                .put("member_count", FakeUser.values().length + 1);
        guild.set("members", members());
        ArrayNode textChannels = guild.putArray("channels");
        ArrayNode threads = guild.putArray("threads");
        for (StoredChannel channel : channels) {
            if (!channel.isThread()) {
                textChannels.add(channel(channel, ids));
            } else if (!channel.archived) {
                threads.add(channel(channel, ids));
            }
        }
        guild.putArray("presences");
        guild.putArray("voice_states");
        return guild;
    }

    static ObjectNode ready(FakeIds ids, String sessionId, String resumeUrl) {
        ObjectNode ready = Json.object().put("v", 10);
        ready.set("user", user(Author.BOT));
        ready.putArray("guilds").addObject().put("id", ids.guildId()).put("unavailable", true);
        ready.put("session_id", sessionId).put("resume_gateway_url", resumeUrl);
        ready.putArray("shard").add(0).add(1);
        ready.putObject("application").put("id", ids.applicationId()).put("flags", 0);
        ready.putArray("private_channels");
        return ready;
    }

    static ObjectNode applicationInfo(FakeIds ids) {
        ObjectNode app = Json.object().put("id", ids.applicationId()).put("name", "fakebot").putNull("icon")
                .put("description", "").put("summary", "").put("bot_public", false)
                .put("bot_require_code_grant", false).put("verify_key", "00").putNull("team").put("flags", 0);
        app.set("bot", user(Author.BOT));
        return app;
    }

    /** The common part of an INTERACTION_CREATE: who, where, token, and the fields real Discord adds. */
    static ObjectNode interaction(StoredInteraction i, FakeIds ids, StoredChannel channel, JsonNode data) {
        ObjectNode json = Json.object().put("id", i.id).put("application_id", ids.applicationId()).put("type", i.type);
        json.set("data", data);
        json.put("guild_id", ids.guildId()).put("channel_id", i.channelId);
        json.set("channel", channel(channel, ids));
        ObjectNode member = memberWithUser(Author.of(i.user));
        member.put("permissions", EVERYONE_PERMISSIONS);
        json.set("member", member);
        json.put("token", i.token).put("version", 1).put("locale", "en-US").put("guild_locale", "en-US")
                .put("app_permissions", EVERYONE_PERMISSIONS);
        json.putArray("entitlements");
        json.putObject("authorizing_integration_owners").put("0", ids.guildId());
        json.put("context", 0).put("attachment_size_limit", 10_485_760);
        json.putObject("guild").put("id", ids.guildId()).put("locale", "en-US").putArray("features");
        return json;
    }

    static ObjectNode gatewayPayload(int op, JsonNode d, Integer seq, String type) {
        ObjectNode payload = Json.object().put("op", op);
        payload.set("d", d);
        if (seq == null) {
            payload.putNull("s");
        } else {
            payload.put("s", seq);
        }
        if (type == null) {
            payload.putNull("t");
        } else {
            payload.put("t", type);
        }
        return payload;
    }

    static Instant parseTime(String text) {
        return Instant.parse(text);
    }
}
