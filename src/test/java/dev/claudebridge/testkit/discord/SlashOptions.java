package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Turns a test's {@code Map} of option values into Discord's option array. The option's type comes from the
 * registered command when it declares one; otherwise from the Java value: String 3, Integer/Long 4, Boolean 5,
 * Double 10, and a nested Map is a subcommand (1). A user option (6) gets its {@code resolved} entries, as on Discord.
 */
final class SlashOptions {
    private SlashOptions() {
    }

    static ArrayNode encode(Map<String, ?> values, JsonNode declared, ObjectNode resolved) {
        ArrayNode options = Json.array();
        values.forEach((name, value) -> {
            JsonNode declaration = declaration(declared, name);
            int type = declaration.path("type").asInt(inferType(value));
            ObjectNode option = options.addObject().put("name", name).put("type", type);
            if (value instanceof Map<?, ?> nested) {
                @SuppressWarnings("unchecked")
                Map<String, ?> sub = (Map<String, ?>) nested;
                option.set("options", encode(sub, declaration.path("options"), resolved));
                return;
            }
            switch (type) {
                case 4 -> option.put("value", ((Number) value).longValue());
                case 5 -> option.put("value", (Boolean) value);
                case 10 -> option.put("value", ((Number) value).doubleValue());
                case 6 -> {
                    String id = userId(value);
                    option.put("value", id);
                    Author author = Author.byId(id);
                    resolved.withObject("users").set(id, Payloads.user(author));
                    resolved.withObject("members").set(id, Payloads.member(author).put("permissions",
                            Payloads.EVERYONE_PERMISSIONS));
                }
                default -> option.put("value", String.valueOf(value));
            }
        });
        return options;
    }

    private static JsonNode declaration(JsonNode declared, String name) {
        for (JsonNode option : declared) {
            if (name.equals(option.path("name").asText())) {
                return option;
            }
        }
        return Json.object();
    }

    private static int inferType(Object value) {
        if (value instanceof Map<?, ?>) {
            return 1;
        }
        if (value instanceof Integer || value instanceof Long) {
            return 4;
        }
        if (value instanceof Boolean) {
            return 5;
        }
        if (value instanceof Double || value instanceof Float) {
            return 10;
        }
        if (value instanceof FakeUser) {
            return 6;
        }
        return 3;
    }

    private static String userId(Object value) {
        return value instanceof FakeUser user ? user.id() : String.valueOf(value);
    }
}
