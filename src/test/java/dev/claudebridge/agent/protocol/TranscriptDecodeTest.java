package dev.claudebridge.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every stdout transcript of the real CLI decodes without an exception, and the number of events of each kind equals
 * a table made with jq ({@code src/test/resources/transcripts/make-kind-counts.sh}), not with this decoder. Runs over
 * every CLI version with transcripts in the repository: the 2.1.197 reference and the pinned version's recordings.
 */
final class TranscriptDecodeTest {

    static final Path ROOT = Path.of("src", "test", "resources", "transcripts");
    // cli-2.1.197: copies of the stdout transcripts of shared/reference/claude-cli-2.1.197, kept in the repository so
    // that a fresh clone tests against them with nothing beside it. cli-2.1.332: made by testkit.recorder.Recorder.
    static final Path TRANSCRIPTS = ROOT.resolve("cli-2.1.197");

    private final CliEventDecoder decoder = new CliEventDecoder(new ObjectMapper());

    @ParameterizedTest(name = "CLI {0}")
    @ValueSource(strings = {"2.1.197", "2.1.332"})
    void everyTranscriptDecodesToTheKindCountsOfTheJqTable(String version) throws IOException {
        Path dir = ROOT.resolve("cli-" + version);
        assertThat(dir).as("the CLI %s transcripts in src/test/resources", version).isDirectory();
        Map<String, Map<String, Long>> expected = expectedCounts(version);
        List<Path> files = stdoutTranscripts(dir);
        assertThat(files).hasSizeGreaterThanOrEqualTo(70);

        Map<String, Map<String, Long>> actual = new TreeMap<>();
        for (Path file : files) {
            Map<String, Long> counts = new TreeMap<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                assertThatCode(() -> decoder.decode(line)).doesNotThrowAnyException();
                counts.merge(decoder.decode(line).getClass().getSimpleName(), 1L, Long::sum);
            }
            if (!counts.isEmpty()) {
                actual.put(file.getFileName().toString(), counts);
            }
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void unknownTypesAndMalformedLinesBecomeValuesNotExceptions() {
        assertThat(decoder.decode("{\"type\":\"rate_limit_event\",\"x\":1}"))
                .isInstanceOfSatisfying(CliEvent.Unknown.class, u -> assertThat(u.type()).isEqualTo("rate_limit_event"));
        assertThat(decoder.decode("[SandboxDebug] hello")).isInstanceOf(CliEvent.NotJson.class);
        assertThat(decoder.decode("{\"type\":\"result\",\"modelUsage\":7,\"usage\":\"x\"}"))
                .isInstanceOf(CliEvent.Result.class);
        assertThat(decoder.decode("")).isInstanceOf(CliEvent.NotJson.class);
    }

    /**
     * {@code initialize} sent again while a permission waits (transcript 24, both versions): the answer lists the
     * open {@code can_use_tool} request in full, which a re-attached bot asks again; the first answer lists none.
     */
    @Test
    void anInitializeAnswerCarriesThePermissionRequestsStillOpen() throws IOException {
        for (String version : List.of("cli-2.1.197", "cli-2.1.332")) {
            List<CliEvent.ControlResponse> answers = Files.readAllLines(ROOT.resolve(version)
                            .resolve("24_initialize_while_permission_pending.jsonl")).stream()
                    .map(decoder::decode).filter(e -> e instanceof CliEvent.ControlResponse)
                    .map(e -> (CliEvent.ControlResponse) e).toList();
            String asked = Files.readAllLines(ROOT.resolve(version)
                            .resolve("24_initialize_while_permission_pending.jsonl")).stream()
                    .map(decoder::decode).filter(e -> e instanceof CliEvent.CanUseTool)
                    .map(e -> ((CliEvent.CanUseTool) e).requestId()).findFirst().orElseThrow();
            assertThat(answers).as(version).hasSizeGreaterThanOrEqualTo(2);
            assertThat(answers.getFirst().pendingPermissions()).as(version).isEmpty();
            CliEvent.ControlResponse again = answers.get(1);
            assertThat(again.pendingPermissions()).as(version).hasSize(1);
            assertThat(decoder.decode(again.pendingPermissions().get(0).toString()))
                    .isInstanceOfSatisfying(CliEvent.CanUseTool.class, r -> {
                        assertThat(r.requestId()).isEqualTo(asked);
                        assertThat(r.toolName()).isEqualTo("Bash");
                    });
        }
    }

    /**
     * {@code /compact} and {@code /clear} sent as user messages to 2.1.332 (transcript 27): an empty conversation's
     * compaction is a result with nothing else; a compaction says {@code compacting}, then {@code success}, then the
     * boundary with the tokens before and after; a clear resets the conversation, after which the cost counts from 0.
     */
    @Test
    void compactAndClearDecodeFromTheRecordedTranscript() throws IOException {
        List<CliEvent> events = Files.readAllLines(ROOT.resolve("cli-2.1.332").resolve("27_compact_and_clear.jsonl"))
                .stream().map(decoder::decode).toList();
        assertThat(events).filteredOn(e -> e instanceof CliEvent.CompactBoundary).singleElement()
                .isInstanceOfSatisfying(CliEvent.CompactBoundary.class, b -> {
                    assertThat(b.trigger()).isEqualTo("manual");
                    assertThat(b.preTokens()).as("the last call's 423,000 in + 40 out").isEqualTo(423_040);
                    assertThat(b.postTokens()).hasValueSatisfying(after -> assertThat(after).isPositive()
                            .isLessThan(b.preTokens()));
                });
        assertThat(events).filteredOn(e -> e instanceof CliEvent.SystemStatus s && s.compactResult().isPresent())
                .extracting(e -> ((CliEvent.SystemStatus) e).compactResult().orElseThrow())
                .containsExactly("success");
        assertThat(events).filteredOn(e -> e instanceof CliEvent.ConversationReset).singleElement()
                .isEqualTo(new CliEvent.ConversationReset("clear"));
        List<CliEvent.Result> results = events.stream().filter(e -> e instanceof CliEvent.Result)
                .map(e -> (CliEvent.Result) e).toList();
        assertThat(results).hasSize(5);
        assertThat(results.get(3).totalCostUsd()).as("the clear's result").isZero();
        assertThat(results.get(4).totalCostUsd()).as("the first turn after it").isEqualByComparingTo("0.0008");
        assertThat(results.get(4).sessionId()).isNotEqualTo(results.get(2).sessionId());
    }

    @Test
    void resultKeepsEveryCostAndUsageField() throws IOException {
        String line = Files.readAllLines(TRANSCRIPTS.resolve("05_two_turns_cost.jsonl")).stream()
                .filter(l -> l.startsWith("{\"type\":\"result\""))
                .skip(1).findFirst().orElseThrow();
        CliEvent.Result result = (CliEvent.Result) decoder.decode(line);
        assertThat(result.totalCostUsd()).isEqualByComparingTo("0.00375");
        assertThat(result.modelUsage()).isNotEmpty();
        assertThat(result.usage().inputTokens()).isPositive();
        assertThat(result.durationApiMs()).isPositive();
        assertThat(result.terminalReason()).contains("completed");
    }

    static List<Path> stdoutTranscripts(Path dir) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(p -> p.toString().endsWith(".jsonl"))
                    .filter(p -> !p.toString().endsWith(".annotated.jsonl") && !p.toString().endsWith(".requests.jsonl"))
                    .sorted()
                    .toList();
        }
    }

    private static Map<String, Map<String, Long>> expectedCounts(String version) throws IOException {
        String table = "kind-counts-" + version + ".tsv";
        try (InputStream in = TranscriptDecodeTest.class.getResourceAsStream("/transcripts/" + table)) {
            assertThat(in).as(table).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(l -> l.split("\t"))
                    .collect(Collectors.groupingBy(f -> f[0], TreeMap::new,
                            Collectors.toMap(f -> f[1], f -> Long.parseLong(f[2]), Long::sum, TreeMap::new)));
        }
    }
}
