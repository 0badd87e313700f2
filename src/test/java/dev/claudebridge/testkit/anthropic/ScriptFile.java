package dev.claudebridge.testkit.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The standalone script: a JSON list of rules (or {@code {"rules":[...]}}) mirroring {@link Match} and
 * {@link Reply}. The format is documented in docs/fake-anthropic-api.md; errors name the rule and the field.
 */
public final class ScriptFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ScriptFile() {}

    public record Rule(Match match, Reply reply) {}

    public static List<Rule> read(Path file) throws IOException {
        return parse(JSON.readTree(file.toFile()));
    }

    public static List<Rule> parse(String json) throws IOException {
        return parse(JSON.readTree(json));
    }

    public static List<Rule> parse(JsonNode root) {
        JsonNode list = root.isObject() ? root.path("rules") : root;
        if (!list.isArray()) {
            throw new IllegalArgumentException("a script is a JSON list of rules, or {\"rules\": [...]}");
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode rule = list.get(i);
            try {
                rules.add(new Rule(match(rule.path("match")), reply(rule.path("reply"))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rule " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return rules;
    }

    private static Match match(JsonNode m) {
        if (m.isMissingNode() || (m.isTextual() && m.asText().equals("any"))) {
            return Match.any();
        }
        if (m.has("userTextContains")) {
            return Match.userTextContains(m.get("userTextContains").asText());
        }
        if (m.has("userTextEquals")) {
            return Match.userTextEquals(m.get("userTextEquals").asText());
        }
        if (m.has("toolResultFor")) {
            return Match.toolResultFor(m.get("toolResultFor").asText());
        }
        if (m.has("toolResultContains")) {
            JsonNode t = m.get("toolResultContains");
            return Match.toolResultContains(required(t, "tool"), required(t, "text"));
        }
        if (m.has("modelContains")) {
            return Match.modelContains(m.get("modelContains").asText());
        }
        if (m.has("any")) {
            return Match.any();
        }
        throw new IllegalArgumentException("unknown match " + m);
    }

    private static Reply reply(JsonNode r) {
        Reply reply;
        if (r.has("error")) {
            reply = r.has("message") ? Reply.error(r.get("error").asInt(), r.get("message").asText())
                    : Reply.error(r.get("error").asInt());
        } else if (r.has("text")) {
            reply = Reply.text(r.get("text").asText());
        } else if (r.path("blocks").isArray()) {
            List<Block> blocks = new ArrayList<>();
            for (JsonNode b : r.get("blocks")) {
                blocks.add(block(b));
            }
            reply = Reply.blocks(blocks.toArray(Block[]::new));
        } else {
            throw new IllegalArgumentException("a reply needs \"text\", \"blocks\" or \"error\": " + r);
        }
        if (r.has("tokensPerSecond")) {
            reply = reply.tokensPerSecond(r.get("tokensPerSecond").asDouble());
        }
        if (r.has("usage")) {
            reply = reply.usage(r.get("usage").path("input").asInt(100), r.get("usage").path("output").asInt(20));
        }
        if (r.has("times")) {
            reply = reply.times(r.get("times").asInt());
        }
        return reply;
    }

    private static Block block(JsonNode b) {
        if (b.has("text")) {
            return Block.text(b.get("text").asText());
        }
        if (b.has("thinking")) {
            return Block.thinking(b.get("thinking").asText());
        }
        if (b.has("toolUse")) {
            JsonNode u = b.get("toolUse");
            @SuppressWarnings("unchecked")
            Map<String, Object> input = u.has("input")
                    ? JSON.convertValue(u.get("input"), LinkedHashMap.class) : Map.of();
            return Block.toolUse(required(u, "name"), input);
        }
        throw new IllegalArgumentException("unknown block " + b);
    }

    private static String required(JsonNode node, String field) {
        if (!node.path(field).isTextual()) {
            throw new IllegalArgumentException("missing text field \"" + field + "\" in " + node);
        }
        return node.get(field).asText();
    }
}
