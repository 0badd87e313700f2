package dev.claudebridge.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * An oversized line is known by its first 4096 bytes only. Its type must come from its own top-level fields: the real
 * 2.1.332 writes {@code "type":"result"} after the {@code result} text, so a long answer's head has no type at all.
 */
final class OversizedHeadTest {

    private static final int HEAD = 4096;
    private final ObjectMapper json = new ObjectMapper();

    private String firstLine(String transcript, String type) throws Exception {
        return Files.readAllLines(Path.of("src", "test", "resources", "transcripts", transcript)).stream()
                .filter(l -> l.contains("\"type\":\"" + type + "\"")).findFirst().orElseThrow();
    }

    private static String head(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return new String(bytes, 0, Math.min(HEAD, bytes.length), StandardCharsets.UTF_8);
    }

    @Test
    void aLongResultOfTheCurrentCliIsARecognizedResult() throws Exception {
        ObjectNode result = (ObjectNode) json.readTree(firstLine("cli-2.1.332/01_plain_text_partial.jsonl",
                "result"));
        result.put("result", "word ".repeat(10_000)); // the answer text, long, before "type" as 2.1.332 orders it
        String line = json.writeValueAsString(result);
        assertThat(head(line)).doesNotContain("\"type\":\"result\"");

        CliEvent.Oversized o = (CliEvent.Oversized) CliEventDecoder.oversized(head(line), line.length());

        assertThat(o.type()).isEqualTo("result");
        assertThat(o.subtype()).contains("success");
    }

    @Test
    void aLongPermissionRequestKeepsItsTypeSubtypeAndRequestId() throws Exception {
        ObjectNode ask = (ObjectNode) json.readTree(firstLine("cli-2.1.332/02_tool_allow.jsonl", "control_request"));
        ((ObjectNode) ask.path("request").path("input")).put("command", "x".repeat(20_000));
        String line = json.writeValueAsString(ask);

        CliEvent.Oversized o = (CliEvent.Oversized) CliEventDecoder.oversized(head(line), line.length());

        assertThat(o.type()).isEqualTo("control_request");
        assertThat(o.subtype()).contains("can_use_tool");
        assertThat(o.requestId()).contains(ask.path("request_id").asText());
    }

    @Test
    void aNestedTypeIsNotTheLinesType() {
        String head = "{\"message\":{\"type\":\"message\",\"content\":\"" + "y".repeat(5000);
        assertThat(((CliEvent.Oversized) CliEventDecoder.oversized(head, 9000)).type()).isEqualTo("unknown");
    }
}
