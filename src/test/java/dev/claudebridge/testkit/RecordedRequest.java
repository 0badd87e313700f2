package dev.claudebridge.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.anthropic.Conversation;
import java.util.Map;

/**
 * One request the fake received.
 *
 * @param index 1-based arrival number among all requests to the fake
 * @param method HTTP method
 * @param path the request URI as sent, query included (the CLI sends {@code /v1/messages?beta=true})
 * @param headers request headers, names lower-cased, repeated values joined with ", "
 * @param body the JSON body ({@code MissingNode} when there was none or it was not JSON)
 * @param rule what answered it: the matching rule's description, "unmatched" or "count_tokens"
 */
public record RecordedRequest(
        int index, String method, String path, Map<String, String> headers, JsonNode body, String rule) {

    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    public String model() {
        return body.path("model").asText("");
    }

    public boolean stream() {
        return body.path("stream").asBoolean(false);
    }

    /** The newest user text, system reminders removed (what the text matchers compare). */
    public String userText() {
        return Conversation.newestUserText(body);
    }

    /** The image blocks of the newest user message, as the CLI sent them to the API. */
    public java.util.List<JsonNode> userImages() {
        return Conversation.newestUserImages(body);
    }

    /** The path without its query string. */
    public String pathOnly() {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }
}
