package dev.claudebridge.testkit.recorder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Records the transcript scenarios with a given CLI binary against {@code FakeAnthropicApi}: for each scenario
 * {@code NAME.jsonl}, {@code NAME.annotated.jsonl}, {@code NAME.stderr.txt} and {@code NAME.requests.jsonl}.
 *
 * <pre>
 * Recorder --cli BIN --out DIR [--scenarios DIR] [--only REGEX] [--skip REGEX] [--work DIR]
 * </pre>
 * Scenarios run one after another (a resume needs the run before it, and timing matters more than speed). A run
 * that hangs is cut off by its bounded waits and recorded with a note; the recorder goes on with the next one.
 */
public final class Recorder {

    static final Path DEFAULT_SCENARIOS = Path.of("src", "test", "resources", "transcripts", "scenarios");

    private Recorder() {
    }

    public static void main(String[] args) throws Exception {
        // The fake logs every request at INFO; the recorder writes them to NAME.requests.jsonl instead.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.claudebridge.testkit"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Map<String, String> opts = options(args);
        if (!opts.containsKey("cli") || !opts.containsKey("out")) {
            System.err.println("usage: Recorder --cli BIN --out DIR [--scenarios DIR] [--only REGEX] [--skip REGEX]"
                    + " [--work DIR]");
            System.exit(2);
        }
        Path cli = Path.of(opts.get("cli")).toAbsolutePath();
        Path out = Files.createDirectories(Path.of(opts.get("out")));
        Path work = opts.containsKey("work") ? Files.createDirectories(Path.of(opts.get("work")))
                : Files.createTempDirectory("cli-recorder");
        Pattern only = Pattern.compile(opts.getOrDefault("only", ".*"));
        Pattern skip = opts.containsKey("skip") ? Pattern.compile(opts.get("skip")) : null;
        List<Scenario> scenarios = Scenario.loadAll(Path.of(opts.getOrDefault("scenarios",
                DEFAULT_SCENARIOS.toString())));

        Map<String, String> sessionIds = new HashMap<>();
        Map<String, ScenarioRun.Dirs> dirs = new HashMap<>();
        long start = System.nanoTime();
        int failed = 0;
        int ran = 0;
        for (Scenario s : scenarios) {
            if (!only.matcher(s.name()).find() || (skip != null && skip.matcher(s.name()).find())) {
                continue;
            }
            ran++;
            ScenarioRun.Dirs d = s.sharesDirsWith() != null && dirs.containsKey(s.sharesDirsWith())
                    ? dirs.get(s.sharesDirsWith()) : ScenarioRun.Dirs.under(work.resolve(s.name()));
            dirs.put(s.name(), d);
            try {
                ScenarioRun.Outcome o = new ScenarioRun(s, cli, out, d, sessionIds).run();
                List<String> shown = o.notes().stream().filter(Recorder::remarkable).toList();
                System.out.printf("%-58s rc=%-5s %6.1fs%s%n", o.name(), o.exit(), o.seconds(),
                        shown.isEmpty() ? "" : "  " + String.join("; ", shown));
            } catch (IOException | RuntimeException e) {
                failed++;
                System.out.printf("%-58s FAILED: %s%n", s.name(), e);
            }
        }
        System.out.printf("recorded %d scenarios into %s in %.0f s (%d failed to run)%n", ran, out,
                (System.nanoTime() - start) / 1e9, failed);
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Notes worth a look on the console: the harness could not do what the scenario says. */
    private static boolean remarkable(String note) {
        return note.startsWith("wait_for timeout") || note.startsWith("stdout closed before")
                || note.startsWith("not answered") || note.startsWith("process did not exit")
                || note.startsWith("still running");
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected an option, got " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        return opts;
    }
}
