package dev.claudebridge.testkit.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The fake's HTTP behaviour, without the CLI. */
final class FakeAnthropicApiTest {

    private final FakeAnthropicApi api = FakeAnthropicApi.start();

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void answersTheProbeAndCountTokensAndRecordsUnknownPaths() {
        assertThat(HttpCalls.call(HttpMethod.HEAD, api.baseUrl() + "/", null).status()).isEqualTo(200);
        HttpCalls.Response count = HttpCalls.post(api.baseUrl(), "/v1/messages/count_tokens?beta=true",
                HttpCalls.messagesBody("count me", false));
        assertThat(count.status()).isEqualTo(200);
        assertThat(count.json().path("input_tokens").asInt()).isPositive();
        assertThat(api.unmatchedPaths()).isEmpty();

        HttpCalls.Response missing = HttpCalls.call(HttpMethod.GET, api.baseUrl() + "/v1/models", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("error").path("type").asText()).isEqualTo("not_found_error");
        assertThat(api.unmatchedPaths()).containsExactly("GET /v1/models");
        // Only messages requests are in requests(); allRequests() has everything.
        assertThat(api.requests()).isEmpty();
        assertThat(api.allRequests()).extracting(RecordedRequest::rule).containsExactly("root", "count_tokens", "404");
    }

    @Test
    void errorsHaveTheAnthropicShape() {
        api.on(Match.userTextEquals("e500"), Reply.error(500))
                .on(Match.userTextEquals("e529"), Reply.error(529))
                .on(Match.userTextEquals("e400"), Reply.error(400))
                .on(Match.userTextEquals("e401"), Reply.error(401));
        Map<String, String> expected = Map.of("e500", "api_error", "e529", "overloaded_error",
                "e400", "invalid_request_error", "e401", "authentication_error");
        int n = 0;
        for (String prompt : List.of("e500", "e529", "e400", "e401")) {
            n++;
            HttpCalls.Response response = HttpCalls.post(api.baseUrl(), "/v1/messages",
                    HttpCalls.messagesBody(prompt, true));
            assertThat(response.status()).isEqualTo(Integer.parseInt(prompt.substring(1)));
            assertThat(response.contentType()).isEqualTo("application/json");
            assertThat(response.requestId()).isEqualTo("req_fake_" + n);
            JsonNode body = response.json();
            assertThat(body.path("type").asText()).isEqualTo("error");
            assertThat(body.path("error").path("type").asText()).isEqualTo(expected.get(prompt));
            assertThat(body.path("error").path("message").asText()).endsWith("(fake)");
            assertThat(body.path("request_id").asText()).isEqualTo(response.requestId());
        }
    }

    @Test
    void rulesAreTriedInOrderAndTimesUsesThemUp() {
        api.on(Match.any(), Reply.error(529).times(2)).on(Match.any(), Reply.text("finally"));
        assertThat(status("x")).isEqualTo(529);
        assertThat(status("x")).isEqualTo(529);
        assertThat(status("x")).isEqualTo(200);
        assertThat(status("x")).isEqualTo(200);
        assertThat(api.requests()).extracting(RecordedRequest::rule)
                .containsExactly("rule 1 any", "rule 1 any", "rule 2 any", "rule 2 any");
    }

    @Test
    void anUnmatchedPromptGetsADefaultTextAndIsRecorded() {
        api.on(Match.userTextContains("known"), Reply.text("yes"));
        HttpCalls.Response response = HttpCalls.post(api.baseUrl(), "/v1/messages",
                HttpCalls.messagesBody("something else", true));
        assertThat(response.status()).isEqualTo(200);
        StringBuilder text = new StringBuilder();
        response.events().forEach(e -> text.append(e.path("delta").path("text").asText("")));
        assertThat(text).hasToString("FakeAnthropicApi: no rule matched the prompt: something else");
        assertThat(api.unmatchedPrompts()).containsExactly("something else");
    }

    @Test
    void newestUserTextIgnoresSystemRemindersAndSystemEntries() {
        ObjectNode body = HttpCalls.messagesBody("ignored", true);
        var messages = body.withArray("messages");
        messages.removeAll();
        ObjectNode user = messages.addObject().put("role", "user");
        user.putArray("content")
                .add(HttpCalls.JSON.createObjectNode().put("type", "text")
                        .put("text", "<system-reminder>\nToday is a day.\n</system-reminder>\n\n"))
                .add(HttpCalls.JSON.createObjectNode().put("type", "text").put("text", "Say hello"));
        messages.addObject().put("role", "system").put("content", "Available agent types ...");
        assertThat(Conversation.newestUserText(body)).isEqualTo("Say hello");
        assertThat(Match.userTextEquals("Say hello").test(body)).isTrue();
        assertThat(Match.toolResultFor("Bash").test(body)).isFalse();
    }

    @Test
    void nonStreamingRequestsGetOneMessage() {
        api.on(Match.any(), Reply.blocks(Block.text("Title"), Block.toolUse("Read", Map.of("file_path", "/x"))));
        HttpCalls.Response response = HttpCalls.post(api.baseUrl(), "/v1/messages",
                HttpCalls.messagesBody("title please", false));
        JsonNode message = response.json();
        assertThat(message.path("id").asText()).isEqualTo("msg_001");
        assertThat(message.path("model").asText()).isEqualTo("claude-opus-4-8");
        assertThat(message.path("content").path(0).path("text").asText()).isEqualTo("Title");
        assertThat(message.path("content").path(1).path("id").asText()).isEqualTo("toolu_001");
        assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(message.path("usage").path("output_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void deltasArePacedAtTheTokenRate() {
        // 10 tokens at 50/s: at least 200 ms in all; the default rate streams them in a few ms.
        api.on(Match.userTextEquals("slow"), Reply.text("one two three four five six seven eight nine ten")
                        .tokensPerSecond(50))
                .on(Match.userTextEquals("fast"), Reply.text("one two three four five six seven eight nine ten"));
        long slow = timed("slow");
        long fast = timed("fast");
        assertThat(slow).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(fast).isLessThan(slow);
    }

    @Test
    void requestStreamReplaysAndThenFollows() {
        api.on(Match.any(), Reply.text("ok"));
        status("first");
        StepVerifier.create(api.requestStream().map(RecordedRequest::userText).take(2))
                .then(() -> Schedulers.boundedElastic().schedule(() -> status("second")))
                .expectNext("first", "second")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void usageAndModelAreEchoedInTheStream() {
        api.on(Match.any(), Reply.text("hi").usage(7, 3));
        ObjectNode body = HttpCalls.messagesBody("x", true).put("model", "claude-haiku-4-5-20251001");
        List<JsonNode> events = HttpCalls.post(api.baseUrl(), "/v1/messages", body).events();
        JsonNode start = events.getFirst().path("message");
        assertThat(start.path("model").asText()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(start.path("usage").path("input_tokens").asInt()).isEqualTo(7);
        assertThat(events.get(events.size() - 2).path("usage").path("output_tokens").asInt()).isEqualTo(3);
        assertThat(Match.modelContains("haiku").test(body)).isTrue();
    }

    private int status(String prompt) {
        return HttpCalls.post(api.baseUrl(), "/v1/messages", HttpCalls.messagesBody(prompt, true)).status();
    }

    private long timed(String prompt) {
        long start = System.nanoTime();
        assertThat(status(prompt)).isEqualTo(200);
        return System.nanoTime() - start;
    }
}
