package dev.claudebridge.testkit.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The real CLI run beside the bot against the same fake model, so that a test compares what the bot shows with what
 * the CLI itself reports, not with the bot's own numbers.
 */
public final class StandaloneCli {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private StandaloneCli() {
    }

    /**
     * A fresh CLI in {@code dir} runs {@code prompt} to its result, then answers {@code get_context_usage}: its
     * answer ({@code percentage}, {@code totalTokens}, {@code maxTokens}, ...).
     */
    public static JsonNode contextUsageAfter(Path dir, String baseUrl, String prompt) throws Exception {
        try (ClaudeProcess cli = ClaudeProcess.start(dir, baseUrl)) {
            cli.sendUser(prompt);
            cli.untilResult(WAIT, line -> { });
            cli.send(ClaudeProcess.JSON.readTree("{\"type\":\"control_request\",\"request_id\":\"context_1\","
                    + "\"request\":{\"subtype\":\"get_context_usage\"}}"));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                JsonNode line = cli.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                JsonNode response = line.path("response");
                if (line.path("type").asText().equals("control_response")
                        && response.path("request_id").asText().equals("context_1")) {
                    return response.path("response");
                }
            }
        }
    }
}
