package dev.claudebridge.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.agent.process.Line;
import dev.claudebridge.testkit.Fuzz;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link CliEventDecoder} on real CLI stdout lines (the 2.1.332 and 2.1.197 transcripts), mutated
 * (docs/reliability.md). The oracle is Jackson's plain tree parse of the same text and the decoder's own contract:
 * <ul>
 * <li>decoding never throws;</li>
 * <li>a line that is not a JSON object becomes {@link CliEvent.NotJson} holding the line exactly;</li>
 * <li>an object whose {@code type} the decoder knows becomes an event of that type (never {@link CliEvent.Unknown},
 * which would drop it: an unknown {@code result} would leave its turn running until TURN_TIMEOUT), whatever its
 * other fields hold;</li>
 * <li>any other object becomes {@link CliEvent.Unknown} holding the whole parsed line;</li>
 * <li>numbers out of every range in known fields do not change what a line is.</li>
 * </ul>
 */
final class CliEventDecoderFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The decoder's dispatch: each known {@code type} and the events it can become. */
    private static final Map<String, Set<Class<? extends CliEvent>>> KINDS = Map.of(
            "system", Set.of(CliEvent.SystemInit.class, CliEvent.SystemStatus.class, CliEvent.ApiRetry.class,
                    CliEvent.CompactBoundary.class, CliEvent.SystemOther.class),
            "stream_event", Set.of(CliEvent.MessageStart.class, CliEvent.BlockStart.class, CliEvent.TextDelta.class,
                    CliEvent.ThinkingDelta.class, CliEvent.ToolInputDelta.class, CliEvent.BlockStop.class,
                    CliEvent.MessageDelta.class, CliEvent.MessageStop.class, CliEvent.StreamOther.class),
            "assistant", Set.of(CliEvent.Assistant.class),
            "user", Set.of(CliEvent.ToolResults.class, CliEvent.Interrupted.class, CliEvent.UserOther.class),
            "result", Set.of(CliEvent.Result.class),
            "control_request", Set.of(CliEvent.CanUseTool.class, CliEvent.ControlRequest.class),
            "control_cancel_request", Set.of(CliEvent.ControlCancel.class),
            "control_response", Set.of(CliEvent.ControlResponse.class),
            "conversation_reset", Set.of(CliEvent.ConversationReset.class));

    /** Values that no field of the protocol can hold as they are meant: beyond double, long and int, tiny, signed. */
    private static final List<JsonNode> HUGE = List.of(
            NODES.numberNode(new BigDecimal("1e400")), NODES.numberNode(new BigDecimal("-1e400")),
            NODES.numberNode(new BigDecimal("1e-400")), NODES.numberNode(new BigInteger("9".repeat(40))),
            NODES.numberNode(new BigInteger("-9223372036854775809")), NODES.numberNode(-0.0),
            NODES.numberNode(Long.MIN_VALUE), NODES.numberNode(4294967296L));

    private static final List<String> LINES = realLines();
    private static final Map<String, List<String>> BY_TYPE = LINES.stream()
            .collect(Collectors.groupingBy(CliEventDecoderFuzzTest::typeOf));
    private static final List<String> TYPES = BY_TYPE.keySet().stream().sorted().toList();

    private final CliEventDecoder decoder = new CliEventDecoder(new ObjectMapper());

    @Test
    void bytesDroppedDuplicatedSwappedOrCut() {
        Fuzz.property("decoder: real lines with bytes dropped, duplicated, swapped, replaced, cut or nested deep",
                        random -> bytesMutated(random, pick(random)))
                .tries(10_000).shrinking(Fuzz::shrinkString).showing(Fuzz::literal)
                .check(this::decodesByContract);
    }

    @Test
    void typesChangedFieldsOfTheWrongTypeJunkNested() {
        Fuzz.property("decoder: real lines with types changed, fields of the wrong JSON type, junk nested",
                        random -> structurallyMutated(random, pick(random)))
                .tries(10_000).shrinking(Fuzz::shrinkString).showing(Fuzz::literal)
                .check(this::decodesByContract);
    }

    @Test
    void anUnknownTypeIsKeptWhole() {
        Fuzz.property("decoder: an unknown type is kept whole", random -> {
            ObjectNode node = (ObjectNode) parse(pick(random));
            node.set("type", unknownType(random));
            return node.toString();
        }).tries(5000).shrinking(Fuzz::shrinkString).showing(Fuzz::literal).check(line -> {
            CliEvent event = decoder.decode(line);
            assertThat(event).isInstanceOf(CliEvent.Unknown.class);
            assertThat(((CliEvent.Unknown) event).raw()).isEqualTo(parse(line));
        });
    }

    @Test
    void numbersOutOfRangeDoNotChangeWhatALineIs() {
        Fuzz.property("decoder: numbers out of range in known fields", random -> {
            String line = pick(random);
            JsonNode node = parse(line);
            replaceNumbers(node, random);
            return List.of(line, node.toString());
        }).tries(5000).showing(pair -> Fuzz.literal(pair.get(1))).check(pair -> {
            CliEvent original = decoder.decode(pair.get(0));
            CliEvent huge = decoder.decode(pair.get(1));
            assertThat(huge.getClass()).as("decoded %s", huge).isEqualTo(original.getClass());
        });
    }

    @Test
    void theHeadOfAnOversizedLineNeverThrows() {
        Fuzz.property("decoder: heads of oversized lines", random -> {
            String line = random.nextBoolean() ? pick(random) : structurallyMutated(random, pick(random));
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            int cut = random.nextInt(4) == 0 ? bytes.length : random.nextInt(Math.min(bytes.length, 4096) + 1);
            return new Line.Oversized(new String(bytes, 0, cut, StandardCharsets.UTF_8),
                    bytes.length + 1L + random.nextInt(Integer.MAX_VALUE));
        }).tries(5000).check(head -> {
            CliEvent event = decoder.decode(head);
            assertThat(event).isInstanceOf(CliEvent.Oversized.class);
            CliEvent.Oversized oversized = (CliEvent.Oversized) event;
            assertThat(oversized.bytes()).isEqualTo(head.totalBytes());
            JsonNode whole = tryParse(head.head());
            if (whole != null && whole.isObject() && whole.path("type").isTextual()) {
                assertThat(oversized.type()).isEqualTo(whole.path("type").asText());
            } else {
                assertThat(oversized.type()).isNotNull();
            }
        });
    }

    /**
     * Found by {@link #numbersOutOfRangeDoNotChangeWhatALineIs}: a {@code total_cost_usd} or {@code costUSD} beyond
     * a double (Jackson reads it as infinity) made the whole result {@link CliEvent.Unknown}, so the turn it ended
     * never ended for the bot.
     */
    @Test
    void aResultWithACostBeyondADoubleIsStillAResult() {
        CliEvent event = decoder.decode("{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,"
                + "\"total_cost_usd\":1e400,\"modelUsage\":{\"m\":{\"costUSD\":-1e400}},\"session_id\":\"s\"}");
        assertThat(event).isInstanceOf(CliEvent.Result.class);
        CliEvent.Result result = (CliEvent.Result) event;
        assertThat(result.totalCostUsd()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(result.modelUsage().get("m").costUsd()).isEqualByComparingTo(BigDecimal.ZERO);
    }

    /** The contract, against Jackson's own parse of the line. */
    private void decodesByContract(String line) {
        CliEvent event = decoder.decode(line);
        JsonNode node = tryParse(line);
        if (node == null || !node.isObject()) {
            assertThat(event).isEqualTo(new CliEvent.NotJson(line));
            return;
        }
        JsonNode type = node.path("type");
        Set<Class<? extends CliEvent>> kinds = type.isTextual() ? KINDS.get(type.asText()) : null;
        if (kinds != null) {
            assertThat(kinds).as("a %s line decoded as %s", type.asText(), event).contains(event.getClass());
        } else {
            assertThat(event).isInstanceOf(CliEvent.Unknown.class);
            assertThat(((CliEvent.Unknown) event).raw()).isEqualTo(node);
        }
    }

    // ---- mutations ----

    private static String bytesMutated(Random random, String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && bytes.length > 0; e++) {
            int at = random.nextInt(bytes.length);
            bytes = switch (random.nextInt(7)) {
                case 0 -> concat(Arrays.copyOfRange(bytes, 0, at), Arrays.copyOfRange(bytes, at + 1, bytes.length));
                case 1 -> {
                    int end = Math.min(bytes.length, at + 1 + random.nextInt(16));
                    yield concat(Arrays.copyOfRange(bytes, 0, end), Arrays.copyOfRange(bytes, at, bytes.length));
                }
                case 2 -> {
                    int other = random.nextInt(bytes.length);
                    byte b = bytes[at];
                    bytes[at] = bytes[other];
                    bytes[other] = b;
                    yield bytes;
                }
                case 3 -> {
                    bytes[at] = (byte) random.nextInt(256);
                    yield bytes;
                }
                case 4 -> Arrays.copyOf(bytes, at); // cut
                case 5 -> { // nesting around Jackson's depth limit (1000)
                    int depth = 900 + random.nextInt(300);
                    yield concat(Arrays.copyOfRange(bytes, 0, at), concat(("[".repeat(depth) + "]".repeat(depth))
                            .getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(bytes, at, bytes.length)));
                }
                default -> concat(Arrays.copyOfRange(bytes, 0, at), concat(junk(random).getBytes(
                        StandardCharsets.UTF_8), Arrays.copyOfRange(bytes, at, bytes.length)));
            };
        }
        // As the framer hands it over: decoded from UTF-8, broken sequences replaced; a newline would have ended it.
        return new String(bytes, StandardCharsets.UTF_8).replace('\n', ' ');
    }

    private static String structurallyMutated(Random random, String line) {
        JsonNode root = parse(line);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            List<Slot> slots = slots(root);
            if (slots.isEmpty()) {
                ((ObjectNode) root).set("type", value(random, 1));
                continue;
            }
            Slot slot = slots.get(random.nextInt(slots.size()));
            switch (random.nextInt(7)) {
                case 0 -> ((ObjectNode) root).set("type", random.nextBoolean()
                        ? NODES.textNode(List.copyOf(KINDS.keySet()).get(random.nextInt(KINDS.size())))
                        : unknownType(random));
                case 1 -> slot.set(otherType(random, slot.get()));
                case 2 -> slot.set(nested(random, 1 + random.nextInt(60)));
                case 3 -> slot.remove();
                case 4 -> slot.set(HUGE.get(random.nextInt(HUGE.size())));
                case 5 -> {
                    JsonNode sub = random.nextBoolean() ? root : slot.get();
                    if (sub instanceof ObjectNode object) {
                        object.set(random.nextBoolean() ? "subtype" : "junk_" + random.nextInt(5), value(random, 2));
                    }
                }
                default -> slot.set(value(random, 3));
            }
        }
        return root.toString();
    }

    private static void replaceNumbers(JsonNode node, Random random) {
        for (Slot slot : slots(node)) {
            if (slot.get().isNumber() && random.nextInt(3) > 0) {
                slot.set(HUGE.get(random.nextInt(HUGE.size())));
            }
        }
    }

    /** A place in the tree that can be replaced or removed: a field of an object or an element of an array. */
    private record Slot(JsonNode parent, String field, int index) {
        JsonNode get() {
            return field != null ? parent.get(field) : parent.get(index);
        }

        void set(JsonNode value) {
            if (field != null) {
                ((ObjectNode) parent).set(field, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }

        void remove() {
            if (field != null) {
                ((ObjectNode) parent).remove(field);
            } else {
                ((ArrayNode) parent).set(index, NODES.nullNode());
            }
        }
    }

    private static List<Slot> slots(JsonNode root) {
        List<Slot> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(JsonNode node, List<Slot> out) {
        if (node.isObject()) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
                String name = names.next();
                out.add(new Slot(node, name, -1));
                collect(node.get(name), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.add(new Slot(node, null, i));
                collect(node.get(i), out);
            }
        }
    }

    /** A value of another JSON type than {@code value}. */
    private static JsonNode otherType(Random random, JsonNode value) {
        JsonNode other;
        do {
            other = value(random, 2);
        } while (other.getNodeType() == value.getNodeType());
        return other;
    }

    private static JsonNode value(Random random, int depth) {
        return switch (random.nextInt(depth > 0 ? 9 : 7)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextInt());
            case 3 -> NODES.numberNode(random.nextDouble() * 1e6);
            case 4 -> HUGE.get(random.nextInt(HUGE.size()));
            case 5 -> NODES.textNode(junk(random));
            case 6 -> NODES.textNode(TYPES.get(random.nextInt(TYPES.size())));
            case 7 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(value(random, depth - 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    object.set(random.nextBoolean() ? junk(random) : "type", value(random, depth - 1));
                }
                yield object;
            }
        };
    }

    private static JsonNode nested(Random random, int depth) {
        JsonNode inner = value(random, 0);
        for (int i = 0; i < depth; i++) {
            inner = random.nextBoolean() ? NODES.arrayNode().add(inner) : NODES.objectNode().set("type", inner);
        }
        return inner;
    }

    private static JsonNode unknownType(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> NODES.textNode("");
            case 1 -> NODES.textNode("rate_limit_event");
            case 2 -> NODES.textNode("Result");
            case 3 -> NODES.numberNode(random.nextInt(10));
            case 4 -> NODES.nullNode();
            case 5 -> NODES.arrayNode().add("result");
            default -> NODES.textNode(junk(random));
        };
    }

    private static String junk(Random random) {
        String[] parts = {"", "x", "\"", "\\", "{", "}", "[", "]", ":", ",", "\u0000", "\ud800", "é", "🎉", "\r",
            "\"type\":", "null", "1e999", "-", "\\u12", " "};
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(6); i >= 0; i--) {
            out.append(parts[random.nextInt(parts.length)]);
        }
        return out.toString();
    }

    // ---- the real lines ----

    /** A real line, each type as likely as any other (else stream events would be nearly every case). */
    private static String pick(Random random) {
        String type = TYPES.get(random.nextInt(TYPES.size()));
        List<String> ofType = BY_TYPE.get(type);
        return ofType.get(random.nextInt(ofType.size()));
    }

    private static List<String> realLines() {
        List<String> lines = new ArrayList<>();
        for (String version : List.of("2.1.332", "2.1.197")) {
            try {
                for (Path file : TranscriptDecodeTest.stdoutTranscripts(TranscriptDecodeTest.ROOT.resolve("cli-"
                        + version))) {
                    Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                            .filter(l -> tryParse(l) instanceof ObjectNode)
                            .forEach(lines::add);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(lines);
    }

    private static String typeOf(String line) {
        return parse(line).path("type").asText("");
    }

    private static JsonNode parse(String line) {
        JsonNode node = tryParse(line);
        if (node == null) {
            throw new IllegalArgumentException("not JSON: " + line);
        }
        return node;
    }

    private static JsonNode tryParse(String line) {
        try {
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
