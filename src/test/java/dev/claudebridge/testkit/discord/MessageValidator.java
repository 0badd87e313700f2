package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;

/**
 * Discord's limits on a message body (FAKE-DISCORD-SPEC §4), each refused with Discord's code and error shape.
 * Lengths are counted in Unicode code points, as Discord counts them.
 */
final class MessageValidator {
    static final int MAX_CONTENT = 2000;
    private static final int COMPONENTS_V2 = 1 << 15;

    private MessageValidator() {
    }

    /** Validates every field present in {@code body}; {@code create} also refuses an empty message. */
    static void validate(JsonNode body, boolean create, boolean hasFiles) {
        String content = Json.text(body, "content");
        if (content != null && codePoints(content) > MAX_CONTENT) {
            throw DiscordError.maxLength("content", MAX_CONTENT);
        }
        JsonNode embeds = body.get("embeds");
        if (embeds != null && embeds.isArray()) {
            validateEmbeds(embeds);
        }
        JsonNode components = body.get("components");
        boolean v2 = (body.path("flags").asInt(0) & COMPONENTS_V2) != 0;
        if (components != null && components.isArray() && !v2) {
            validateComponents(components);
        }
        if (create && isEmpty(content, embeds, components, body.get("sticker_ids"), body.get("poll")) && !hasFiles) {
            throw DiscordError.of(400, 50006, "Cannot send an empty message");
        }
    }

    static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }

    private static boolean isEmpty(String content, JsonNode... lists) {
        if (content != null && !content.isEmpty()) {
            return false;
        }
        for (JsonNode list : lists) {
            if (list != null && !list.isNull() && !list.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static void validateEmbeds(JsonNode embeds) {
        if (embeds.size() > 10) {
            throw DiscordError.maxLength("embeds", 10);
        }
        int total = 0;
        for (int i = 0; i < embeds.size(); i++) {
            JsonNode embed = embeds.get(i);
            String at = "embeds." + i;
            total += limit(embed, "title", 256, at);
            total += limit(embed, "description", 4096, at);
            total += limit(embed.path("footer"), "text", 2048, at + ".footer");
            total += limit(embed.path("author"), "name", 256, at + ".author");
            JsonNode fields = embed.path("fields");
            if (fields.size() > 25) {
                throw DiscordError.maxLength(at + ".fields", 25);
            }
            for (int f = 0; f < fields.size(); f++) {
                total += limit(fields.get(f), "name", 256, at + ".fields." + f);
                total += limit(fields.get(f), "value", 1024, at + ".fields." + f);
            }
        }
        if (total > 6000) {
            throw DiscordError.invalidForm("embeds", "MAX_EMBED_SIZE_EXCEEDED",
                    "Embed size exceeds maximum size of 6000");
        }
    }

    /** Returns the field's length in code points after checking it against {@code max}. */
    private static int limit(JsonNode parent, String field, int max, String at) {
        String value = Json.text(parent, field);
        if (value == null) {
            return 0;
        }
        int length = codePoints(value);
        if (length > max) {
            throw DiscordError.maxLength(at + "." + field, max);
        }
        return length;
    }

    private static void validateComponents(JsonNode rows) {
        if (rows.size() > 5) {
            throw DiscordError.maxLength("components", 5);
        }
        Set<String> customIds = new HashSet<>();
        for (int r = 0; r < rows.size(); r++) {
            JsonNode row = rows.get(r);
            String rowAt = "components." + r;
            if (row.path("type").asInt() != 1) {
                throw DiscordError.invalidForm(rowAt + ".type", "UNION_TYPE_CHOICES",
                        "Value of field \"type\" must be one of (1,).");
            }
            JsonNode children = row.path("components");
            if (children.isEmpty() || children.size() > 5) {
                throw DiscordError.badLength(rowAt + ".components", 1, 5);
            }
            for (int c = 0; c < children.size(); c++) {
                JsonNode child = children.get(c);
                String at = rowAt + ".components." + c;
                boolean select = child.path("type").asInt() != 2 && child.path("type").asInt() != 4;
                if (select && children.size() > 1) {
                    throw DiscordError.invalidForm(rowAt + ".components", "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                            "The specified component exceeds the maximum width");
                }
                validateComponent(child, at, customIds);
            }
        }
    }

    private static void validateComponent(JsonNode component, String at, Set<String> customIds) {
        String customId = Json.text(component, "custom_id");
        boolean linkOrPremium = component.path("type").asInt() == 2 && component.path("style").asInt() >= 5;
        if (customId == null && !linkOrPremium) {
            throw DiscordError.invalidForm(at + ".custom_id", "BASE_TYPE_REQUIRED", "This field is required");
        }
        if (customId != null) {
            int length = codePoints(customId);
            if (length < 1 || length > 100) {
                throw DiscordError.badLength(at + ".custom_id", 1, 100);
            }
            if (!customIds.add(customId)) {
                throw DiscordError.invalidForm(at + ".custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated");
            }
        }
        limit(component, "label", 80, at);
        JsonNode options = component.path("options");
        if (options.size() > 25) {
            throw DiscordError.badLength(at + ".options", 1, 25);
        }
        for (int o = 0; o < options.size(); o++) {
            limit(options.get(o), "label", 100, at + ".options." + o);
            limit(options.get(o), "value", 100, at + ".options." + o);
            limit(options.get(o), "description", 100, at + ".options." + o);
        }
    }
}
