package dev.claudebridge.testkit.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Turns a {@link Reply} into the Messages API's answer: SSE events with the shapes the real API sends (checked
 * against the reference transcripts), or one JSON message for a non-streaming request. Pure apart from pacing.
 */
public final class MessageStream {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOKEN = Pattern.compile("\\s*\\S+\\s*");
    private static final int JSON_CHUNK = 24;

    private MessageStream() {}

    /** One SSE event; {@code paced} events (the deltas) are spaced at the reply's token rate. */
    public record Event(String type, ObjectNode data, boolean paced) {
        public String sse() {
            return "event: " + type + "\ndata: " + data + "\n\n";
        }
    }

    /**
     * The events of one streamed message.
     *
     * @param toolIds one id per tool_use block of the reply, in order
     */
    public static List<Event> events(Reply reply, String messageId, String model, List<String> toolIds) {
        List<Event> events = new ArrayList<>();
        ObjectNode start = JSON.createObjectNode().put("type", "message_start");
        ObjectNode message = start.putObject("message");
        message.put("id", messageId).put("type", "message").put("role", "assistant").put("model", model);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        // The real API reports output_tokens 1 at the start and the total in message_delta.
        usage(message.putObject("usage"), reply.inputTokens(), 1);
        events.add(new Event("message_start", start, false));

        Iterator<String> ids = toolIds.iterator();
        int index = 0;
        for (Block block : reply.blocks()) {
            ObjectNode blockStart = JSON.createObjectNode().put("type", "content_block_start").put("index", index);
            ObjectNode contentBlock = blockStart.putObject("content_block");
            switch (block) {
                case Block.Text t -> {
                    contentBlock.put("type", "text").put("text", "");
                    events.add(new Event("content_block_start", blockStart, false));
                    for (String token : tokens(t.text())) {
                        events.add(delta(index, "text_delta", "text", token, true));
                    }
                }
                case Block.Thinking t -> {
                    contentBlock.put("type", "thinking").put("thinking", "").put("signature", "");
                    events.add(new Event("content_block_start", blockStart, false));
                    for (String token : tokens(t.thinking())) {
                        events.add(delta(index, "thinking_delta", "thinking", token, true));
                    }
                    events.add(delta(index, "signature_delta", "signature", t.signature(), false));
                }
                case Block.ToolUse u -> {
                    contentBlock.put("type", "tool_use").put("id", ids.next()).put("name", u.name());
                    contentBlock.putObject("input");
                    events.add(new Event("content_block_start", blockStart, false));
                    for (String chunk : chunks(toJson(u))) {
                        events.add(delta(index, "input_json_delta", "partial_json", chunk, true));
                    }
                }
            }
            ObjectNode stop = JSON.createObjectNode().put("type", "content_block_stop").put("index", index);
            events.add(new Event("content_block_stop", stop, false));
            index++;
        }

        ObjectNode messageDelta = JSON.createObjectNode().put("type", "message_delta");
        messageDelta.putObject("delta").put("stop_reason", stopReason(reply)).putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", reply.outputTokens());
        events.add(new Event("message_delta", messageDelta, false));
        events.add(new Event("message_stop", JSON.createObjectNode().put("type", "message_stop"), false));
        return events;
    }

    /** The SSE body, deltas paced on the parallel scheduler (never a sleeping thread). */
    public static Flux<String> sse(List<Event> events, double tokensPerSecond) {
        return sse(events, tokensPerSecond, e -> { });
    }

    /**
     * As {@link #sse(List, double)}, and calls {@code onSent} with each event at the moment it is handed to the
     * response, after its pacing delay (for benchmarks that time a delta from leaving the model to being visible).
     * {@code onSent} runs on the emitting thread and must not block.
     */
    public static Flux<String> sse(List<Event> events, double tokensPerSecond, Consumer<Event> onSent) {
        Duration gap = Double.isInfinite(tokensPerSecond)
                ? Duration.ZERO
                : Duration.ofNanos(Math.max(1, (long) (1_000_000_000L / tokensPerSecond)));
        return Flux.fromIterable(events).concatMap(e -> (e.paced() && !gap.isZero()
                ? Mono.just(e).delayElement(gap, Schedulers.parallel())
                : Mono.just(e)).doOnNext(onSent).map(Event::sse));
    }

    /** The whole message, for a request with {@code stream:false}. */
    public static ObjectNode message(Reply reply, String messageId, String model, List<String> toolIds) {
        ObjectNode message = JSON.createObjectNode();
        message.put("id", messageId).put("type", "message").put("role", "assistant").put("model", model);
        ArrayNode content = message.putArray("content");
        Iterator<String> ids = toolIds.iterator();
        for (Block block : reply.blocks()) {
            switch (block) {
                case Block.Text t -> content.addObject().put("type", "text").put("text", t.text());
                case Block.Thinking t -> content.addObject().put("type", "thinking").put("thinking", t.thinking())
                        .put("signature", t.signature());
                case Block.ToolUse u -> content.addObject().put("type", "tool_use").put("id", ids.next())
                        .put("name", u.name()).set("input", JSON.valueToTree(u.input()));
            }
        }
        message.put("stop_reason", stopReason(reply));
        message.putNull("stop_sequence");
        usage(message.putObject("usage"), reply.inputTokens(), reply.outputTokens());
        return message;
    }

    /** The Anthropic error body: {@code {"type":"error","error":{"type":...,"message":...},"request_id":...}}. */
    public static ObjectNode error(int status, String message, String requestId) {
        ObjectNode body = JSON.createObjectNode().put("type", "error");
        body.putObject("error").put("type", Reply.errorType(status)).put("message", message);
        body.put("request_id", requestId);
        return body;
    }

    /** Words with their trailing whitespace, as in the transcripts ("Hello ", "there, "). */
    public static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        int end = 0;
        while (m.find()) {
            tokens.add(m.group());
            end = m.end();
        }
        if (end < text.length()) {
            tokens.add(text.substring(end)); // only whitespace was left (or the text was all whitespace)
        }
        return tokens;
    }

    /** At least two chunks, so clients really have to join partial JSON. */
    static List<String> chunks(String json) {
        int count = Math.max(2, (json.length() + JSON_CHUNK - 1) / JSON_CHUNK);
        int size = Math.max(1, (json.length() + count - 1) / count);
        List<String> chunks = new ArrayList<>();
        for (int i = 0; i < json.length(); i += size) {
            chunks.add(json.substring(i, Math.min(json.length(), i + size)));
        }
        return chunks;
    }

    private static String stopReason(Reply reply) {
        return reply.hasToolUse() ? "tool_use" : "end_turn";
    }

    private static void usage(ObjectNode usage, int input, int output) {
        usage.put("input_tokens", input).put("output_tokens", output)
                .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", 0);
    }

    private static Event delta(int index, String deltaType, String field, String value, boolean paced) {
        ObjectNode event = JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
        event.putObject("delta").put("type", deltaType).put(field, value);
        return new Event("content_block_delta", event, paced);
    }

    private static String toJson(Block.ToolUse use) {
        try {
            return JSON.writeValueAsString(use.input());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tool input is not JSON-serializable: " + use.input(), e);
        }
    }
}
