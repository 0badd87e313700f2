package dev.claudebridge.testkit.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real claude CLI against the fake: the fake is good enough when the CLI is satisfied with it. */
final class FakeAnthropicApiCliTest {

    private static final Duration TURN = Duration.ofSeconds(60);
    private static final String ANSWER = "Hello there, this is a streamed answer from the fake.";

    @TempDir
    Path dir;

    private FakeAnthropicApi api;

    @BeforeEach
    void start() {
        api = FakeAnthropicApi.start();
    }

    @AfterEach
    void stop() {
        try {
            // Every path the CLI used must be one the fake knows (HEAD /, messages, count_tokens).
            assertThat(api.unmatchedPaths()).isEmpty();
        } finally {
            api.close();
        }
    }

    @Test
    void streamedTextTurnCostsWhatTheCliPrices() throws Exception {
        api.on(Match.userTextContains("say hello"), Reply.text(ANSWER));
        try (ClaudeProcess cli = ClaudeProcess.start(dir, api.baseUrl())) {
            cli.sendUser("Please say hello");
            List<JsonNode> lines = cli.untilResult(TURN, line -> {});
            JsonNode result = lines.getLast();

            assertThat(deltas(lines, "text_delta", "text")).isEqualTo(ANSWER);
            assertThat(textDeltaCount(lines)).isEqualTo(MessageStream.tokens(ANSWER).size()).isGreaterThan(5);
            assertThat(result.path("is_error").asBoolean()).isFalse();
            assertThat(result.path("result").asText()).isEqualTo(ANSWER);
            assertThat(result.path("total_cost_usd").decimalValue()).isEqualByComparingTo(Reply.DEFAULT_TURN_COST_USD);
        }
        assertThat(api.unmatchedPrompts()).isEmpty();
        assertThat(api.requests()).hasSize(1);
        RecordedRequest request = api.requests().getFirst();
        assertThat(request.userText()).isEqualTo("Please say hello");
        assertThat(request.stream()).isTrue();
        assertThat(request.headers()).containsEntry("x-api-key", "sk-ant-dummy");
    }

    /**
     * The cost oracle of every test: the CLI's own price table (the {@code initialize} response's model descriptions,
     * "$4/$20 per Mtok") applied to the fake's default usage gives {@link Reply#DEFAULT_TURN_COST_USD}, the CLI's
     * result reports exactly that, and the model it asked for is the one its table names as the default.
     */
    @Test
    void theDefaultCostIsTheCliPriceTableAppliedToTheDefaultUsage() throws Exception {
        api.on(Match.any(), Reply.text(ANSWER));
        try (ClaudeProcess cli = ClaudeProcess.start(dir, api.baseUrl())) {
            cli.send(ClaudeProcess.JSON.readTree(
                    "{\"type\":\"control_request\",\"request_id\":\"init-1\",\"request\":{\"subtype\":\"initialize\",\"hooks\":null}}"));
            JsonNode init = cli.next(TURN);
            JsonNode defaultModel = null;
            for (JsonNode model : init.path("response").path("response").path("models")) {
                if (model.path("value").asText().equals("default")) {
                    defaultModel = model;
                }
            }
            assertThat(defaultModel).as("the initialize response's default model").isNotNull();
            java.util.regex.Matcher price = java.util.regex.Pattern.compile("\\$([0-9.]+)/\\$([0-9.]+) per Mtok")
                    .matcher(defaultModel.path("description").asText());
            assertThat(price.find()).as(defaultModel.path("description").asText()).isTrue();
            java.math.BigDecimal expected = new java.math.BigDecimal(price.group(1)).multiply(java.math.BigDecimal.valueOf(100))
                    .add(new java.math.BigDecimal(price.group(2)).multiply(java.math.BigDecimal.valueOf(20)))
                    .movePointLeft(6);
            assertThat(expected).isEqualByComparingTo(Reply.DEFAULT_TURN_COST_USD);

            cli.sendUser("Please say hello");
            JsonNode result = cli.untilResult(TURN, line -> {}).getLast();
            assertThat(result.path("total_cost_usd").decimalValue()).isEqualByComparingTo(expected);
            assertThat(api.requests().getLast().model()).isEqualTo(defaultModel.path("resolvedModel").asText());
        }
    }

    @Test
    void toolUseTurnAsksPermissionAndTheToolResultMatchesTheFollowUpRule() throws Exception {
        api.on(Match.userTextContains("RUNTOOL"), Reply.blocks(
                        Block.text("I will run a command."),
                        Block.toolUse("Bash", Map.of("command", "touch made.txt && echo made-by-tool",
                                "description", "Make a file"))))
                .on(Match.toolResultContains("Bash", "made-by-tool"), Reply.text("The tool said it."));
        List<JsonNode> permissionRequests = new ArrayList<>();
        try (ClaudeProcess cli = ClaudeProcess.start(dir, api.baseUrl())) {
            cli.sendUser("Please RUNTOOL now");
            List<JsonNode> lines = cli.untilResult(TURN, line -> {
                if (line.path("type").asText().equals("control_request")
                        && line.path("request").path("subtype").asText().equals("can_use_tool")) {
                    permissionRequests.add(line);
                    cli.allow(line);
                }
            });
            JsonNode result = lines.getLast();
            assertThat(result.path("is_error").asBoolean()).isFalse();
            assertThat(result.path("result").asText()).isEqualTo("The tool said it.");
            assertThat(result.path("num_turns").asInt()).isEqualTo(2);
            // The partial JSON the fake streamed in pieces arrives whole in the permission request.
            assertThat(deltaCount(lines, "input_json_delta")).isGreaterThanOrEqualTo(2);
            assertThat(dir.resolve("work/made.txt")).exists();
        }
        assertThat(permissionRequests).hasSize(1);
        JsonNode ask = permissionRequests.getFirst().path("request");
        assertThat(ask.path("tool_name").asText()).isEqualTo("Bash");
        assertThat(ask.path("input").path("command").asText()).isEqualTo("touch made.txt && echo made-by-tool");
        assertThat(ask.path("tool_use_id").asText()).isEqualTo("toolu_001");

        assertThat(api.requests()).hasSize(2);
        RecordedRequest followUp = api.requests().get(1);
        assertThat(followUp.rule()).contains("toolResultContains(Bash, 'made-by-tool')");
        assertThat(Conversation.newestToolResults(followUp.body()))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.toolUseId()).isEqualTo("toolu_001");
                    assertThat(r.toolName()).isEqualTo("Bash");
                });
        assertThat(api.unmatchedPrompts()).isEmpty();
    }

    @Test
    void thinkingBlockStreamsBeforeTheText() throws Exception {
        api.on(Match.any(), Reply.blocks(Block.thinking("Let me think about it. "), Block.text("Done thinking.")));
        try (ClaudeProcess cli = ClaudeProcess.start(dir, api.baseUrl())) {
            cli.sendUser("Think first");
            List<JsonNode> lines = cli.untilResult(TURN, line -> {});
            assertThat(deltas(lines, "thinking_delta", "thinking")).isEqualTo("Let me think about it. ");
            assertThat(deltas(lines, "text_delta", "text")).isEqualTo("Done thinking.");
            JsonNode thinking = lines.stream()
                    .filter(l -> l.path("type").asText().equals("assistant"))
                    .map(l -> l.path("message").path("content").path(0))
                    .filter(b -> b.path("type").asText().equals("thinking"))
                    .findFirst().orElseThrow();
            assertThat(thinking.path("signature").asText()).isEqualTo("fakesig==");
            assertThat(lines.getLast().path("total_cost_usd").decimalValue())
                    .isEqualByComparingTo(Reply.DEFAULT_TURN_COST_USD);
        }
    }

    @Test
    void serverErrorEndsTheTurnAsAnApiError() throws Exception {
        api.on(Match.any(), Reply.error(500));
        try (ClaudeProcess cli = ClaudeProcess.start(dir, api.baseUrl())) {
            cli.sendUser("This will fail");
            List<JsonNode> lines = cli.untilResult(TURN, line -> {});
            JsonNode result = lines.getLast();
            assertThat(result.path("is_error").asBoolean()).isTrue();
            assertThat(result.path("api_error_status").asInt()).isEqualTo(500);
            assertThat(result.path("result").asText()).startsWith("API Error: 500 Internal server error (fake)");
            assertThat(lines).anyMatch(l -> l.path("subtype").asText().equals("api_retry"));
        }
        // CLAUDE_CODE_MAX_RETRIES=1: the first try and one retry.
        assertThat(api.requests()).hasSize(2);
    }

    /** 2.1.332 answers a 400 by trying the call again with fewer betas (2.1.197 gave up at once); then it gives up. */
    @Test
    void aBadRequestIsTriedAgainWithFewerBetasThenEndsTheTurn() throws Exception {
        api.on(Match.any(), Reply.error(400));
        try (ClaudeProcess cli = ClaudeProcess.start(dir, api.baseUrl())) {
            cli.sendUser("This is refused");
            JsonNode result = cli.untilResult(TURN, line -> {}).getLast();
            assertThat(result.path("is_error").asBoolean()).isTrue();
            assertThat(result.path("result").asText()).startsWith("API Error: 400");
        }
        List<String> betas = api.requests().stream().map(r -> r.headers().getOrDefault("anthropic-beta", "")).toList();
        assertThat(betas).hasSizeGreaterThan(1).doesNotHaveDuplicates();
        assertThat(betas.getLast().split(",").length).isLessThan(betas.getFirst().split(",").length);
    }

    @Test
    void slowReplyCanBeInterruptedMidStream() throws Exception {
        String longText = "word ".repeat(50);
        api.on(Match.userTextContains("go slowly"), Reply.text(longText).tokensPerSecond(5))
                .on(Match.userTextContains("after"), Reply.text("Back again."));
        try (ClaudeProcess cli = ClaudeProcess.start(dir, api.baseUrl())) {
            cli.sendUser("Please go slowly");
            boolean[] sent = {false};
            List<JsonNode> lines = cli.untilResult(TURN, line -> {
                if (!sent[0] && line.path("event").path("delta").path("type").asText().equals("text_delta")) {
                    sent[0] = true;
                    cli.send(ClaudeProcess.JSON.readTree(
                            "{\"type\":\"control_request\",\"request_id\":\"int-1\",\"request\":{\"subtype\":\"interrupt\"}}"));
                }
            });
            assertThat(lines.getLast().path("subtype").asText()).isEqualTo("error_during_execution");
            // 50 tokens at 5/s would take 10 s; the interrupt cut the stream after a few.
            assertThat(textDeltaCount(lines)).isLessThan(10);

            cli.sendUser("Say it after the interrupt");
            JsonNode next = cli.untilResult(TURN, line -> {}).getLast();
            assertThat(next.path("result").asText()).isEqualTo("Back again.");
        }
        assertThat(api.cancelled()).singleElement()
                .satisfies(r -> assertThat(r.userText()).isEqualTo("Please go slowly"));
    }

    private static String deltas(List<JsonNode> lines, String deltaType, String field) {
        StringBuilder text = new StringBuilder();
        for (JsonNode line : lines) {
            JsonNode delta = line.path("event").path("delta");
            if (line.path("type").asText().equals("stream_event") && delta.path("type").asText().equals(deltaType)) {
                text.append(delta.path(field).asText());
            }
        }
        return text.toString();
    }

    private static long textDeltaCount(List<JsonNode> lines) {
        return deltaCount(lines, "text_delta");
    }

    private static long deltaCount(List<JsonNode> lines, String deltaType) {
        return lines.stream()
                .filter(l -> l.path("event").path("delta").path("type").asText().equals(deltaType))
                .count();
    }
}
