package dev.claudebridge.testkit.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes one scenario file per reference transcript (the 2.1.197 reference made by a harness that is not in this
 * repository), so that the {@link Recorder} can replay them from the repository alone:
 * <ul>
 *   <li>argv: from the annotated meta line, with the reference's directories and session ids as placeholders;</li>
 *   <li>the fake model's replies: each assistant message of the reference stdout (by {@code message.id}, from the
 *       assistant events and, where the stream was cut, from the stream deltas), in order, each answering one
 *       request; its pace from the reference's delta timing;</li>
 *   <li>the steps: each stdin line and harness action, timed from the last non-stream stdout line before it;
 *       a control_response to a CLI request answers the same-numbered request of the new run.</li>
 * </ul>
 * What the reference cannot tell (extra environment, the API errors, the subagent's reply that was never on
 * stdout) is in {@link #ENV} and {@link #adjustRules}. Scenario files not derived from the reference (names in
 * {@link #HAND_WRITTEN}) are left alone.
 *
 * <pre>DeriveScenarios REFERENCE_TRANSCRIPTS_DIR [OUT_DIR]</pre>
 */
public final class DeriveScenarios {

    /** Environment the reference harness set for single scenarios (PROTOCOL.md §11-13 and the scenario names). */
    static final Map<String, Map<String, String>> ENV = Map.of(
            "10c_bypass_flag_tool", Map.of("IS_SANDBOX", "1"),
            "10d_allow_dangerously_then_set_bypass", Map.of("IS_SANDBOX", "1"),
            "14_api_ERR400_retries2", Map.of("CLAUDE_CODE_MAX_RETRIES", "2"),
            "14_api_ERR401_retries2", Map.of("CLAUDE_CODE_MAX_RETRIES", "2"),
            "14_api_ERR500_retries2", Map.of("CLAUDE_CODE_MAX_RETRIES", "2"),
            "14_api_ERR529_retries2", Map.of("CLAUDE_CODE_MAX_RETRIES", "2"),
            "23_session_state_events_env", Map.of("CLAUDE_CODE_EMIT_SESSION_STATE_EVENTS", "1"));

    static final List<String> HAND_WRITTEN = List.of("25_ask_user_question_answers",
            "26_project_settings_untrusted", "26b_config_dir_settings");

    private static final Pattern ERROR_SCENARIO = Pattern.compile("^14_api_ERR(\\d+)");
    private static final Pattern SLOW_WORDS = Pattern.compile("(word\\d+ )+");
    private static final int SLOW_WORD_COUNT = 40;

    private DeriveScenarios() {
    }

    public static void main(String[] args) throws IOException {
        Path ref = Path.of(args.length > 0 ? args[0] : "/work/shared/reference/claude-cli-2.1.197/transcripts");
        Path out = Files.createDirectories(args.length > 1 ? Path.of(args[1]) : Recorder.DEFAULT_SCENARIOS);
        List<Path> annotated;
        try (Stream<Path> files = Files.list(ref)) {
            annotated = files.filter(p -> p.toString().endsWith(".annotated.jsonl")).sorted().toList();
        }
        Map<String, String> sessionOwners = new HashMap<>();
        for (Path file : annotated) {
            String name = file.getFileName().toString().replace(".annotated.jsonl", "");
            List<JsonNode> lines = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                lines.add(Scenario.JSON.readTree(l));
            }
            Scenario s = derive(name, lines, sessionOwners);
            Files.writeString(out.resolve(name + ".json"), s.toJson().toPrettyString() + "\n");
            lines.stream().filter(l -> l.path("dir").asText().equals("out"))
                    .map(l -> l.path("obj").path("session_id").asText(""))
                    .filter(id -> !id.isEmpty()).findFirst()
                    .ifPresent(id -> sessionOwners.putIfAbsent(id, name));
        }
        System.out.println("derived " + annotated.size() + " scenarios into " + out);
    }

    static Scenario derive(String name, List<JsonNode> lines, Map<String, String> sessionOwners) {
        List<String> argv = new ArrayList<>();
        String sharesDirsWith = null;
        JsonNode refArgv = lines.get(0).path("argv");
        for (int i = 1; i < refArgv.size(); i++) {
            String a = refArgv.get(i).asText();
            if (sessionOwners.containsKey(a)) {
                sharesDirsWith = sessionOwners.get(a);
                a = "${SESSION:" + sharesDirsWith + "}";
            }
            argv.add(placeholders(a));
        }
        List<Scenario.Step> steps = steps(lines);
        double lastStep = 0;
        double exit = lastStep;
        for (JsonNode l : lines) {
            if (l.path("note").asText().startsWith("process exited")) {
                exit = l.path("t").asDouble();
            }
        }
        for (int i = lines.size() - 1; i > 0; i--) {
            if (action(lines.get(i)) != null) {
                lastStep = lines.get(i).path("t").asDouble();
                break;
            }
        }
        double exitTimeout = Math.max(30, Math.ceil(2 * (exit - lastStep) + 10));
        return new Scenario(name, argv, ENV.getOrDefault(name, Map.of()), sharesDirsWith, Map.of(),
                adjustRules(name, rules(lines)), steps, exitTimeout);
    }

    /** The reference's directories, as the recorder's placeholders. */
    static String placeholders(String s) {
        return s.replace("/home/bridge/.claude", "${CONFIG}").replace("/home/bridge", "${HOME}")
                .replace("/srv/workspace", "${CWD}").replace("/srv/extra", "${ROOT}/extra");
    }

    /** The harness action of an annotated line: "send", "closeStdin", "signal", "sessionFileNote", "note" or null. */
    private static String action(JsonNode l) {
        String dir = l.path("dir").asText();
        if (dir.equals("in")) {
            return "send";
        }
        if (!dir.equals("meta") || !l.has("note")) {
            return null;
        }
        String note = l.path("note").asText();
        if (note.equals("closing stdin")) {
            return "closeStdin";
        }
        if (note.startsWith("sending signal") || note.endsWith("sending SIGTERM")) {
            return "signal";
        }
        if (note.startsWith("session file")) {
            return "sessionFileNote";
        }
        // Observations of the reference run, not actions: the recorder writes its own.
        if (note.startsWith("process exited") || note.startsWith("write failed") || note.startsWith("wait_for")
                || note.startsWith("result after") || note.contains("permission asked again")) {
            return null;
        }
        return "note";
    }

    private static List<Scenario.Step> steps(List<JsonNode> lines) {
        List<Scenario.Step> steps = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        Map<String, String[]> cliRequests = new HashMap<>(); // request_id -> {kind, n}
        String anchorKind = null;
        int anchorN = 0;
        double anchorT = 0;
        double previous = 0;
        for (JsonNode l : lines.subList(1, lines.size())) {
            double t = l.path("t").asDouble();
            if (l.path("dir").asText().equals("out") && l.path("obj").isObject()) {
                JsonNode obj = l.path("obj");
                String kind = Kinds.of(obj);
                int n = counts.merge(kind, 1, Integer::sum);
                if (obj.path("type").asText().equals("control_request")) {
                    cliRequests.put(obj.path("request_id").asText(), new String[] {kind, String.valueOf(n)});
                }
                if (Kinds.isAnchor(kind)) {
                    anchorKind = kind;
                    anchorN = n;
                    anchorT = t;
                }
                continue;
            }
            String action = action(l);
            if (action == null) {
                continue;
            }
            String arg = switch (action) {
                case "send" -> placeholders(l.path("line").asText());
                case "signal" -> {
                    Matcher m = Pattern.compile("signal (\\d+)").matcher(l.path("note").asText());
                    yield m.find() ? m.group(1) : "15";
                }
                case "note" -> l.path("note").asText();
                default -> null;
            };
            String answerKind = null;
            int answerN = 1;
            if (action.equals("send")) {
                try {
                    JsonNode sent = Scenario.JSON.readTree(l.path("line").asText());
                    String id = sent.path("response").path("request_id").asText("");
                    if (sent.path("type").asText().equals("control_response") && cliRequests.containsKey(id)) {
                        answerKind = cliRequests.get(id)[0];
                        answerN = Integer.parseInt(cliRequests.get(id)[1]);
                        arg = arg.replace(id, "${REQUEST_ID}");
                    }
                } catch (IOException notJson) {
                    // a malformed line on purpose (08_*): sent as it is
                }
            }
            Scenario.Step step;
            if (anchorKind != null) {
                double gap = Math.max(0, anchorT - previous);
                step = new Scenario.Step(anchorKind, anchorN, round(t - anchorT),
                        Math.max(30, Math.ceil(2 * gap + 30)), action, arg, answerKind, answerN);
            } else {
                step = new Scenario.Step(null, 1, round(t - previous), 60, action, arg, answerKind, answerN);
            }
            steps.add(step);
            previous = t;
        }
        return steps;
    }

    /** One streamed assistant message of the reference, rebuilt block by block. */
    private static final class Message {
        final TreeMap<Integer, ObjectNode> blocks = new TreeMap<>();
        final List<Double> deltaTimes = new ArrayList<>();
        int assistantBlocks;
        int input = 100;
        int output = -1;
        boolean complete;
    }

    private static ArrayNode rules(List<JsonNode> lines) {
        Map<String, Message> messages = new LinkedHashMap<>();
        Map<String, String> streaming = new HashMap<>(); // parent_tool_use_id -> message id being streamed
        for (JsonNode l : lines) {
            JsonNode o = l.path("obj");
            if (!l.path("dir").asText().equals("out") || !o.isObject()) {
                continue;
            }
            String parent = o.path("parent_tool_use_id").asText("");
            if (o.path("type").asText().equals("stream_event")) {
                JsonNode e = o.path("event");
                String type = e.path("type").asText();
                if (type.equals("message_start")) {
                    String id = e.path("message").path("id").asText();
                    streaming.put(parent, id);
                    messages.computeIfAbsent(id, k -> new Message()).input =
                            e.path("message").path("usage").path("input_tokens").asInt(100);
                    continue;
                }
                Message m = messages.get(streaming.get(parent));
                if (m == null) {
                    continue;
                }
                int index = e.path("index").asInt();
                switch (type) {
                    case "content_block_start" -> {
                        JsonNode cb = e.path("content_block");
                        ObjectNode b = Scenario.JSON.createObjectNode().put("type", cb.path("type").asText());
                        if (cb.has("name")) {
                            b.put("name", cb.path("name").asText());
                        }
                        b.put("acc", "");
                        m.blocks.put(index, b);
                    }
                    case "content_block_delta" -> {
                        JsonNode d = e.path("delta");
                        ObjectNode b = m.blocks.get(index);
                        String piece = d.path("text").asText(d.path("thinking").asText(d.path("partial_json").asText("")));
                        if (b != null && !d.path("type").asText().equals("signature_delta")) {
                            b.put("acc", b.path("acc").asText() + piece);
                            m.deltaTimes.add(l.path("t").asDouble());
                        }
                    }
                    case "message_delta" -> m.output = e.path("usage").path("output_tokens").asInt(-1);
                    case "message_stop" -> m.complete = true;
                    default -> { }
                }
            } else if (o.path("type").asText().equals("assistant")
                    && !o.path("message").path("model").asText().equals("<synthetic>")) {
                Message m = messages.computeIfAbsent(o.path("message").path("id").asText(), k -> new Message());
                for (JsonNode block : o.path("message").path("content")) {
                    ObjectNode b = Scenario.JSON.createObjectNode().put("type", block.path("type").asText());
                    b.put("name", block.path("name").asText(null));
                    b.set("final", block);
                    // Blocks of a message arrive in index order, one assistant event each.
                    int index = m.assistantBlocks++;
                    ObjectNode streamed = m.blocks.get(index);
                    if (streamed != null) {
                        streamed.set("final", block);
                    } else {
                        m.blocks.put(index, b);
                    }
                }
            }
        }
        ArrayNode rules = Scenario.JSON.createArrayNode();
        for (Message m : messages.values()) {
            ObjectNode reply = Scenario.JSON.createObjectNode();
            ArrayNode blocks = reply.putArray("blocks");
            boolean tool = false;
            for (ObjectNode b : m.blocks.values()) {
                JsonNode fin = b.path("final");
                switch (b.path("type").asText()) {
                    case "text" -> {
                        String text = fin.isObject() ? fin.path("text").asText() : b.path("acc").asText();
                        blocks.addObject().put("text", placeholders(m.complete ? text : extendSlow(text)));
                    }
                    case "thinking" -> blocks.addObject().put("thinking",
                            fin.isObject() ? fin.path("thinking").asText() : b.path("acc").asText());
                    case "tool_use" -> {
                        tool = true;
                        JsonNode input = fin.isObject() ? fin.path("input") : parse(b.path("acc").asText());
                        ObjectNode use = blocks.addObject().putObject("toolUse");
                        use.put("name", b.path("name").asText());
                        use.set("input", parse(placeholders(input.toString())));
                    }
                    default -> { }
                }
            }
            if (blocks.isEmpty()) {
                continue;
            }
            double rate = rate(m.deltaTimes);
            if (rate > 0) {
                reply.put("tokensPerSecond", rate);
            }
            reply.putObject("usage").put("input", m.input).put("output", m.output > 0 ? m.output : tool ? 50 : 20);
            reply.put("times", 1);
            ObjectNode rule = rules.addObject();
            rule.put("match", "any");
            rule.set("reply", reply);
        }
        return rules;
    }

    /** What the reference cannot show: scripted API errors, and the subagent's reply (never on stdout). */
    static ArrayNode adjustRules(String name, ArrayNode rules) {
        Matcher error = ERROR_SCENARIO.matcher(name);
        if (error.find()) {
            // The reference fake failed every request whose newest user text named the error; after a failed turn
            // the CLI merges the next prompt into the failed one, so that turn fails too (PROTOCOL.md §6).
            ObjectNode rule = Scenario.JSON.createObjectNode();
            rule.putObject("match").put("userTextContains", "ERR" + error.group(1));
            rule.putObject("reply").put("error", Integer.parseInt(error.group(1)));
            rules.insert(0, rule);
        }
        if (name.equals("16_subagent_task")) {
            // The subagent's own request, by its prompt (2.1.332 runs the agent in the background, so its request
            // no longer comes between the main thread's two); a later task notification gets a plain answer.
            ObjectNode rule = Scenario.JSON.createObjectNode();
            rule.putObject("match").put("userTextContains", "Subagent: please say hello");
            rule.putObject("reply").put("text", "Hello there, this is a streamed answer. ");
            rules.insert(0, rule);
            ObjectNode rest = rules.addObject().put("match", "any");
            rest.putObject("reply").put("text", "Noted.");
        }
        return rules;
    }

    /** A slow reply cut off by an interrupt or a kill: the reference fake's full text had 40 words. */
    private static String extendSlow(String text) {
        if (!SLOW_WORDS.matcher(text).matches()) {
            return text;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < SLOW_WORD_COUNT; i++) {
            b.append("word").append(i).append(' ');
        }
        return b.toString();
    }

    /** Deltas per second when the reference paced them slowly; 0 for the fast default. */
    private static double rate(List<Double> times) {
        if (times.size() < 2) { // an interrupted slow reply may have only two deltas before the cut
            return 0;
        }
        double span = times.get(times.size() - 1) - times.get(0);
        double rate = span > 0 ? (times.size() - 1) / span : Double.POSITIVE_INFINITY;
        return rate < 100 ? Math.round(rate * 10) / 10.0 : 0;
    }

    private static JsonNode parse(String json) {
        try {
            return Scenario.JSON.readTree(json.isEmpty() ? "{}" : json);
        } catch (IOException e) {
            return Scenario.JSON.createObjectNode();
        }
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
