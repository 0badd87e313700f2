package dev.claudebridge.testkit.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fake's SSE events against the golden ones: the {@code stream_event.event} objects of the reference
 * transcripts (copied verbatim under src/test/resources/fake-anthropic/golden/). Shapes are compared field by
 * field: every JSON path with its value's node type, per event kind (type plus block or delta type).
 */
final class EventShapeTest {

    private final FakeAnthropicApi api = FakeAnthropicApi.start();

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void plainTextEventsHaveTheGoldenShapesAndOrder() throws IOException {
        api.on(Match.any(), Reply.text("Hello there, this is a streamed answer. "));
        List<JsonNode> mine = stream("Say hello");
        List<JsonNode> golden = golden("01_plain_text_partial.jsonl");

        assertSameShapes(mine, golden);
        // Same text, same split into tokens, same order of event kinds.
        assertThat(kinds(mine)).isEqualTo(kinds(golden));
        assertThat(texts(mine)).isEqualTo(texts(golden));
    }

    @Test
    void toolUseEventsHaveTheGoldenShapes() throws IOException {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("command", "touch /srv/workspace/perm-test-file && echo made");
        input.put("description", "Create test file");
        api.on(Match.any(), Reply.blocks(Block.text("I will run a command."), Block.toolUse("Bash", input)));
        List<JsonNode> mine = stream("Please RUNTOOL now");
        List<JsonNode> golden = golden("02_tool_allow.jsonl");

        assertSameShapes(mine, golden);
        JsonNode toolStart = mine.stream()
                .filter(e -> e.path("content_block").path("type").asText().equals("tool_use")).findFirst().orElseThrow();
        assertThat(toolStart.path("content_block").path("id").asText()).isEqualTo("toolu_001");
        StringBuilder partial = new StringBuilder();
        mine.stream().filter(e -> e.path("delta").path("type").asText().equals("input_json_delta"))
                .forEach(e -> partial.append(e.path("delta").path("partial_json").asText()));
        assertThat(HttpCalls.JSON.readTree(partial.toString())).isEqualTo(HttpCalls.JSON.valueToTree(input));
        assertThat(mine).filteredOn(e -> e.path("type").asText().equals("message_delta"))
                .singleElement().satisfies(e -> assertThat(e.path("delta").path("stop_reason").asText())
                        .isEqualTo("tool_use"));
    }

    @Test
    void thinkingEventsHaveTheGoldenShapes() throws IOException {
        api.on(Match.any(), Reply.blocks(Block.thinking("Let me think. "),
                Block.text("Hello there, this is a streamed answer. ")));
        List<JsonNode> mine = stream("Think");
        List<JsonNode> golden = golden("11_content_blocks_image_thinking.jsonl");

        assertSameShapes(mine, golden);
        assertThat(kinds(mine)).isEqualTo(kinds(golden));
    }

    @Test
    void everyGoldenEventKindIsProduced() throws IOException {
        api.on(Match.any(), Reply.blocks(Block.thinking("Hmm. "), Block.text("Text."),
                Block.toolUse("Bash", Map.of("command", "ls"))));
        Set<String> mine = shapes(stream("All kinds")).keySet();
        Set<String> golden = new TreeSet<>();
        for (String file : List.of("01_plain_text_partial.jsonl", "02_tool_allow.jsonl",
                "11_content_blocks_image_thinking.jsonl")) {
            golden.addAll(shapes(golden(file)).keySet());
        }
        assertThat(mine).containsExactlyInAnyOrderElementsOf(golden);
    }

    private List<JsonNode> stream(String prompt) {
        HttpCalls.Response response = HttpCalls.post(api.baseUrl(), "/v1/messages?beta=true",
                HttpCalls.messagesBody(prompt, true));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("text/event-stream");
        return response.events();
    }

    private static void assertSameShapes(List<JsonNode> mine, List<JsonNode> golden) {
        Map<String, Set<String>> mineShapes = shapes(mine);
        Map<String, Set<String>> goldenShapes = shapes(golden);
        assertThat(mineShapes.keySet()).containsExactlyInAnyOrderElementsOf(goldenShapes.keySet());
        mineShapes.forEach((kind, paths) -> assertThat(paths).as(kind).isEqualTo(goldenShapes.get(kind)));
    }

    /** Event kind to the set of "path:nodeType" of all its events (union, so optional fields show up). */
    private static Map<String, Set<String>> shapes(List<JsonNode> events) {
        Map<String, Set<String>> shapes = new LinkedHashMap<>();
        for (JsonNode event : events) {
            Set<String> paths = shapes.computeIfAbsent(kind(event), k -> new TreeSet<>());
            collect(event, "", paths);
        }
        return shapes;
    }

    private static void collect(JsonNode node, String prefix, Set<String> paths) {
        paths.add(prefix + ":" + node.getNodeType());
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                collect(field.getValue(), prefix + "." + field.getKey(), paths);
            }
        } else if (node.isArray()) {
            node.forEach(element -> collect(element, prefix + "[]", paths));
        }
    }

    private static String kind(JsonNode event) {
        String sub = event.path("content_block").path("type").asText(event.path("delta").path("type").asText(""));
        return event.path("type").asText() + (sub.isEmpty() ? "" : "/" + sub);
    }

    private static List<String> kinds(List<JsonNode> events) {
        return events.stream().map(EventShapeTest::kind).toList();
    }

    private static List<String> texts(List<JsonNode> events) {
        return events.stream().filter(e -> e.path("delta").has("text"))
                .map(e -> e.path("delta").path("text").asText()).toList();
    }

    /** The stream_event.event objects of a transcript, in order. */
    static List<JsonNode> golden(String file) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        try (InputStream in = EventShapeTest.class.getResourceAsStream("/fake-anthropic/golden/" + file)) {
            assertThat(in).as(file).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                JsonNode json = HttpCalls.JSON.readTree(line);
                if (json.path("type").asText().equals("stream_event")) {
                    events.add(json.path("event"));
                }
            }
        }
        return events;
    }
}
