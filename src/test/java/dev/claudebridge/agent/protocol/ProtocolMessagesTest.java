package dev.claudebridge.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.agent.process.CliCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The protocol messages the user features will send (set_model, set_permission_mode, content blocks,
 * {@code --permission-mode}) are the ones the recorded harness sent to the real CLI 2.1.332, and the CLI accepted
 * them: the oracle is the transcript, never our own encoder.
 */
final class ProtocolMessagesTest {

    private static final Path DIR = Path.of("src", "test", "resources", "transcripts", "cli-2.1.332");
    private final ObjectMapper json = new ObjectMapper();
    private final CliMessages messages = new CliMessages(json);

    private List<JsonNode> lines(String scenario, String dir) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (String line : Files.readAllLines(DIR.resolve(scenario + ".annotated.jsonl"))) {
            JsonNode node = json.readTree(line);
            if (node.path("dir").asText().equals(dir)) {
                found.add(dir.equals("in") ? json.readTree(node.path("line").asText()) : node);
            }
        }
        return found;
    }

    private JsonNode sentRequest(String subtype, String field, String value) throws Exception {
        return lines("10_control_requests", "in").stream()
                .filter(l -> l.path("request").path("subtype").asText().equals(subtype)
                        && l.path("request").path(field).asText().equals(value))
                .findFirst().orElseThrow();
    }

    private boolean answeredWithSuccess(String requestId) throws Exception {
        return Files.readAllLines(DIR.resolve("10_control_requests.jsonl")).stream()
                .map(l -> {
                    try {
                        return json.readTree(l);
                    } catch (Exception e) {
                        return json.createObjectNode();
                    }
                })
                .anyMatch(o -> o.path("type").asText().equals("control_response")
                        && o.path("response").path("request_id").asText().equals(requestId)
                        && o.path("response").path("subtype").asText().equals("success"));
    }

    @Test
    void setModelIsWhatTheCliAccepted() throws Exception {
        JsonNode sent = sentRequest("set_model", "model", "sonnet");
        String ours = messages.controlRequest(sent.path("request_id").asText(), messages.setModel("sonnet"));
        assertThat(json.readTree(ours)).isEqualTo(sent);
        assertThat(answeredWithSuccess(sent.path("request_id").asText())).isTrue();
    }

    @Test
    void setPermissionModeIsWhatTheCliAccepted() throws Exception {
        JsonNode sent = sentRequest("set_permission_mode", "mode", "acceptEdits");
        String ours = messages.controlRequest(sent.path("request_id").asText(),
                messages.setPermissionMode("acceptEdits"));
        assertThat(json.readTree(ours)).isEqualTo(sent);
        assertThat(answeredWithSuccess(sent.path("request_id").asText())).isTrue();
    }

    @Test
    void contentBlocksAreWhatTheCliTookAsOnePrompt() throws Exception {
        JsonNode sent = lines("11_content_blocks_image_thinking", "in").stream()
                .filter(l -> l.path("type").asText().equals("user")).findFirst().orElseThrow();
        List<CliMessages.UserBlock> blocks = new ArrayList<>();
        for (JsonNode block : sent.path("message").path("content")) {
            blocks.add(block.path("type").asText().equals("text") ? new CliMessages.UserBlock.Text(
                    block.path("text").asText()) : new CliMessages.UserBlock.Image(
                    block.path("source").path("media_type").asText(), block.path("source").path("data").asText()));
        }
        ObjectNode ours = (ObjectNode) json.readTree(messages.userBlocks(blocks));
        assertThat(ours.path("message")).isEqualTo(sent.path("message"));
        assertThat(blocks).hasAtLeastOneElementOfType(CliMessages.UserBlock.Image.class);
    }

    @Test
    void thePermissionModeFlagIsTheOneTheCliWasStartedWith() throws Exception {
        JsonNode argv = lines("10i_acceptEdits_flag", "meta").getFirst().path("argv");
        List<String> recorded = new ArrayList<>();
        argv.forEach(a -> recorded.add(a.asText()));
        List<String> ours = CliCommand.of("claude", Path.of("/tmp"), Map.of()).withPermissionMode("acceptEdits")
                .argv();
        int at = ours.indexOf("--permission-mode");
        assertThat(at).isPositive();
        assertThat(recorded).containsSubsequence(ours.get(at), ours.get(at + 1));
        // Ours also locks the setting sources (--setting-sources "", --strict-mcp-config); the rest is the same.
        assertThat(ours.subList(1, ours.size())).containsAll(recorded.subList(1, recorded.size()));
    }

    /**
     * ALLOW_BYPASS_PERMISSIONS: the flag the CLI wants before it takes set_permission_mode bypassPermissions
     * (transcript 28b_set_mode_bypass_allowed), and the bot's settings no longer disable bypass; off, they do
     * (28_set_mode_bypass_disabled: the CLI then refuses the switch).
     */
    @Test
    void bypassIsAllowedOnlyWhenTheBotAllowsIt() throws Exception {
        CliCommand plain = CliCommand.of("claude", Path.of("/tmp"), Map.of());
        assertThat(plain.argv()).doesNotContain("--allow-dangerously-skip-permissions");
        assertThat(plain.withBypassAllowed().withModel("opus").argv())
                .contains("--allow-dangerously-skip-permissions").containsSubsequence("--model", "opus");
        ObjectMapper mapper = new ObjectMapper();
        JsonNode locked = mapper.readTree(dev.claudebridge.agent.process.BotSettings.json(mapper, Path.of("/d"),
                Path.of("/c")));
        JsonNode open = mapper.readTree(dev.claudebridge.agent.process.BotSettings.json(mapper, Path.of("/d"),
                Path.of("/c"), true));
        assertThat(locked.path("permissions").path("disableBypassPermissionsMode").asText()).isEqualTo("disable");
        assertThat(open.path("permissions").has("disableBypassPermissionsMode")).isFalse();
        assertThat(open.path("permissions").path("deny")).isEqualTo(locked.path("permissions").path("deny"));
    }

    /** The approval of a plan carries the mode to return to (transcript 27c_exit_plan_mode_set_mode). */
    @Test
    void aSetModeUpdateIsTheOneTheCliTookWithAnApproval() throws Exception {
        JsonNode recorded = null;
        for (JsonNode line : lines("27c_exit_plan_mode_set_mode", "in")) {
            if (line.toString().contains("setMode")) {
                recorded = line;
            }
        }
        assertThat(recorded).isNotNull();
        JsonNode update = recorded.path("response").path("response").path("updatedPermissions").path(0);
        assertThat(new CliMessages(new ObjectMapper()).setMode("acceptEdits")).isEqualTo(update);
    }
}
