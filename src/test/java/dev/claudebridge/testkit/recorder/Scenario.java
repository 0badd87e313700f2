package dev.claudebridge.testkit.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One recorded run of the CLI, as described by a file in {@code src/test/resources/transcripts/scenarios/}
 * (format in {@code scenarios/README.md}).
 *
 * @param name the transcript name
 * @param argv CLI arguments after the binary; placeholders such as {@code ${CWD}} are expanded at run time
 * @param env extra environment variables on top of the isolated base environment
 * @param sharesDirsWith the scenario whose HOME, config dir and cwd this one reuses (a resume), or null
 * @param files files to create before the spawn, relative to the scenario root, with placeholders expanded
 * @param rules the fake API's rules in the {@code ScriptFile} format
 * @param steps what the harness does, in order
 * @param exitTimeoutSeconds how long to wait for the exit after the last step before SIGTERM
 */
record Scenario(String name, List<String> argv, Map<String, String> env, String sharesDirsWith,
                Map<String, String> files, JsonNode rules, List<Step> steps, double exitTimeoutSeconds) {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One harness action, optionally after the {@code n}-th stdout line of {@code afterKind} (see {@link Kinds}).
     *
     * @param afterKind wait for this kind of stdout line, or null to time from the previous step
     * @param afterN which occurrence of it (1-based)
     * @param delay seconds after the anchor line (or after the previous step when there is none)
     * @param timeout at most this many seconds for the anchor; then a note is written and the step runs anyway
     * @param action one of send, closeStdin, signal, note, sessionFileNote, fileNote (a note with a file's content)
     * @param arg the line to send (placeholders allowed), the signal number, or the note
     * @param answerKind for a send that answers a CLI request: the kind of that request; {@code ${REQUEST_ID}} and
     *     {@code ${REQUEST_INPUT}} in the line are taken from the {@code answerN}-th line of that kind in this run
     * @param answerN which occurrence
     */
    record Step(String afterKind, int afterN, double delay, double timeout, String action, String arg,
                String answerKind, int answerN) {

        JsonNode toJson() {
            ObjectNode o = JSON.createObjectNode();
            if (afterKind != null) {
                o.putObject("after").put("kind", afterKind).put("n", afterN);
            }
            if (delay != 0) {
                o.put("delay", delay);
            }
            if (afterKind != null && timeout != 60) {
                o.put("timeout", timeout);
            }
            switch (action) {
                case "closeStdin", "sessionFileNote" -> o.put(action, true);
                case "signal" -> o.put(action, Integer.parseInt(arg));
                default -> o.put(action, arg);
            }
            if (answerKind != null) {
                o.putObject("answer").put("kind", answerKind).put("n", answerN);
            }
            return o;
        }

        static Step fromJson(JsonNode o) {
            JsonNode after = o.path("after");
            String action = Stream.of("send", "closeStdin", "signal", "note", "sessionFileNote", "fileNote")
                    .filter(o::has).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("a step needs an action: " + o));
            String arg = switch (action) {
                case "closeStdin", "sessionFileNote" -> null;
                default -> o.get(action).asText();
            };
            JsonNode answer = o.path("answer");
            return new Step(after.isObject() ? after.path("kind").asText() : null, after.path("n").asInt(1),
                    o.path("delay").asDouble(0), o.path("timeout").asDouble(60), action, arg,
                    answer.isObject() ? answer.path("kind").asText() : null, answer.path("n").asInt(1));
        }
    }

    JsonNode toJson() {
        ObjectNode o = JSON.createObjectNode().put("name", name);
        ArrayNode a = o.putArray("argv");
        argv.forEach(a::add);
        if (!env.isEmpty()) {
            ObjectNode e = o.putObject("env");
            env.forEach(e::put);
        }
        if (sharesDirsWith != null) {
            o.put("sharesDirsWith", sharesDirsWith);
        }
        if (!files.isEmpty()) {
            ObjectNode f = o.putObject("files");
            files.forEach(f::put);
        }
        o.set("rules", rules);
        ArrayNode s = o.putArray("steps");
        steps.forEach(step -> s.add(step.toJson()));
        o.put("exitTimeout", exitTimeoutSeconds);
        return o;
    }

    static Scenario fromJson(JsonNode o) {
        List<String> argv = new ArrayList<>();
        o.path("argv").forEach(a -> argv.add(a.asText()));
        Map<String, String> env = new LinkedHashMap<>();
        o.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        Map<String, String> files = new LinkedHashMap<>();
        o.path("files").fields().forEachRemaining(e -> files.put(e.getKey(),
                e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toPrettyString()));
        List<Step> steps = new ArrayList<>();
        o.path("steps").forEach(s -> steps.add(Step.fromJson(s)));
        return new Scenario(o.path("name").asText(), argv, env,
                o.hasNonNull("sharesDirsWith") ? o.get("sharesDirsWith").asText() : null, files,
                o.path("rules").isArray() ? o.get("rules") : JSON.createArrayNode(), steps,
                o.path("exitTimeout").asDouble(30));
    }

    /** Every scenario file of a directory, by name (the names sort in recording order: 06a before 06b). */
    static List<Scenario> loadAll(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Scenario> all = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                all.add(fromJson(JSON.readTree(f.toFile())));
            }
            return all;
        }
    }
}
