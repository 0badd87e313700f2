package dev.claudebridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import reactor.core.Disposable;

/**
 * "Run the CLI that users run today": two real {@code claude} CLI binaries side by side, in one run, N runs each,
 * interleaved (A, B, A, B, …) so that other load on the machine hits both alike. Per run, from the spawn of the CLI
 * (the initialize control request and a user message are written at once, as the bot does; in stream-json input
 * mode the CLI emits {@code system/init} only after the first user message):
 * <ul>
 *   <li>spawn to the initialize {@code control_response};</li>
 *   <li>spawn to the first {@code system/init} line;</li>
 *   <li>spawn to the first messages request's arrival at the fake API (splits the CLI's own time from the
 *       model's);</li>
 *   <li>spawn to the first streamed token (first {@code stream_event} with a {@code text_delta});</li>
 *   <li>idle RSS: VmRSS summed over the CLI and its descendants, 2 s after the turn's {@code result}.</li>
 * </ul>
 * Every CLI talks to one {@link FakeAnthropicApi} started by the benchmark, with an isolated HOME, config dir, temp
 * dir and working directory per run (deleted afterwards), and no environment beyond PATH, LANG and the test
 * variables. One discarded warm-up run per binary first (page cache), unless {@code --warmup 0}.
 *
 * <pre>
 * ./mvnw -q -DbuildDir=target-clibench -Prun test-compile -Dmain=dev.claudebridge.bench.CliVersionBench \
 *   -Dargs="--runs 10"
 * </pre>
 * Options: {@code --a BIN} (default: the pinned {@code tools/node_modules/.bin/claude}), {@code --b BIN} (default:
 * {@code /tmp/cli-197/node_modules/.bin/claude}), {@code --runs N} (10), {@code --warmup N} (1),
 * {@code --idle-ms MS} (2000). The table's columns are ordered oldest version first.
 */
public final class CliVersionBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
    private static final String EOF = "\u0000EOF";
    private static final String ANSWER = "Hello there, this is the fake model answering.";

    private CliVersionBench() {
    }

    /** One timed stdout line. */
    private record Line(long nanos, String text) {
    }

    /** The figures of one run, in ms and KiB; -1 when the event never came. */
    private record Run(double controlResponse, double init, double apiRequest, double firstToken, double result,
            long rssKib, int processes) {
    }

    private record Cli(String label, Path bin, String version, List<Run> runs) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int runs = Integer.parseInt(a.getOrDefault("runs", "10"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "1"));
        long idleMs = Long.parseLong(a.getOrDefault("idle-ms", "2000"));
        Path binA = Path.of(a.getOrDefault("a", System.getProperty("claude.bin", "tools/node_modules/.bin/claude")))
                .toAbsolutePath();
        Path binB = Path.of(a.getOrDefault("b", "/tmp/cli-197/node_modules/.bin/claude")).toAbsolutePath();
        for (Path bin : List.of(binA, binB)) {
            if (!Files.isExecutable(bin)) {
                throw new IllegalStateException("not an executable CLI: " + bin);
            }
        }
        List<Cli> clis = List.of(new Cli("A", binA, version(binA), new ArrayList<>()),
                new Cli("B", binB, version(binB), new ArrayList<>()));

        StringBuilder out = new StringBuilder();
        out.append("## CliVersionBench\n\n").append(machine()).append('\n');
        String loadBefore = loadAverage();
        out.append("- load average before: ").append(loadBefore).append('\n');
        for (Cli cli : clis) {
            out.append("- CLI ").append(cli.label()).append(": ").append(cli.version()).append(" (")
                    .append(cli.bin()).append(")\n");
        }
        out.append("- N = ").append(runs).append(" per CLI, interleaved A, B, A, B, …; warm-up runs discarded: ")
                .append(warmup).append(" per CLI; idle before the RSS sample: ").append(idleMs).append(" ms\n");
        System.out.print(out);

        long started = System.nanoTime();
        try (FakeAnthropicApi api = FakeAnthropicApi.start()) {
            api.on(Match.any(), Reply.text(ANSWER));
            // arrival of each messages request at the fake (emitted on its event loop as the request's body is read)
            Queue<Long> arrivals = new ConcurrentLinkedQueue<>();
            Disposable arrivalsSub = api.requestStream().subscribe(r -> arrivals.add(System.nanoTime()));
            for (int w = 0; w < warmup; w++) {
                for (Cli cli : clis) {
                    Run r = runOnce(cli.bin(), api.baseUrl(), idleMs, arrivals);
                    System.out.printf("warm-up %s (%s): %s%n", cli.label(), cli.version(), describe(r));
                }
            }
            for (int i = 1; i <= runs; i++) {
                for (Cli cli : clis) {
                    Run r = runOnce(cli.bin(), api.baseUrl(), idleMs, arrivals);
                    cli.runs().add(r);
                    System.out.printf("run %2d %s (%s): %s%n", i, cli.label(), cli.version(), describe(r));
                }
            }
            arrivalsSub.dispose();
            if (!api.unmatchedPaths().isEmpty()) {
                System.out.println("fake API: unmatched paths " + api.unmatchedPaths());
            }
            System.out.println("fake API: " + api.requests().size() + " messages requests, "
                    + api.allRequests().size() + " requests in all");
        }
        String loadAfter = loadAverage();

        StringBuilder table = new StringBuilder();
        List<Cli> byVersion = clis.stream().sorted(Comparator.comparing(c -> versionKey(c.version()))).toList();
        table.append("\n| figure (N = ").append(runs).append(" each) |");
        byVersion.forEach(c -> table.append(' ').append(c.version().replace(" (Claude Code)", "")).append(" |"));
        table.append("\n|---|");
        byVersion.forEach(c -> table.append("---|"));
        table.append('\n');
        row(table, "spawn → initialize control_response, ms", byVersion, Run::controlResponse, "%.0f");
        row(table, "spawn → system/init, ms", byVersion, Run::init, "%.0f");
        row(table, "spawn → first messages request at the fake, ms", byVersion, Run::apiRequest, "%.0f");
        row(table, "spawn → first text_delta, ms", byVersion, Run::firstToken, "%.0f");
        row(table, "spawn → result, ms", byVersion, Run::result, "%.0f");
        row(table, "idle RSS of the CLI tree, MiB", byVersion, r -> r.rssKib() / 1024.0, "%.1f");
        table.append("\nEach cell: median / p95 / min / max (p95 by nearest rank: with N = 10 it is the largest "
                + "value). Processes in the CLI tree at the RSS sample: ");
        byVersion.forEach(c -> table.append(c.version().replace(" (Claude Code)", "")).append(' ')
                .append(c.runs().stream().map(r -> String.valueOf(r.processes())).distinct().toList()).append("; "));
        table.append("\nload average after: ").append(loadAfter).append("; wall time ")
                .append((System.nanoTime() - started) / 1_000_000_000).append(" s\n");
        System.out.print(table);
    }

    private static void row(StringBuilder t, String name, List<Cli> clis, Function<Run, Double> f, String fmt) {
        t.append("| ").append(name).append(" |");
        for (Cli cli : clis) {
            List<Double> v = cli.runs().stream().map(f).filter(x -> x >= 0).sorted().toList();
            if (v.isEmpty()) {
                t.append(" n/a |");
                continue;
            }
            String missing = v.size() < cli.runs().size() ? " (" + v.size() + " of " + cli.runs().size() + ")" : "";
            t.append(' ').append(String.format(Locale.ROOT, fmt + " / " + fmt + " / " + fmt + " / " + fmt,
                    median(v), v.get((int) Math.ceil(0.95 * v.size()) - 1), v.get(0), v.get(v.size() - 1)))
                    .append(missing).append(" |");
        }
        t.append('\n');
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String describe(Run r) {
        return String.format(Locale.ROOT, "control_response %.0f ms, init %.0f ms, API request %.0f ms, first token "
                + "%.0f ms, result %.0f ms, idle RSS %.1f MiB (%d processes)", r.controlResponse(), r.init(),
                r.apiRequest(), r.firstToken(), r.result(), r.rssKib() / 1024.0, r.processes());
    }

    /** One CLI from spawn to the idle RSS sample; the CLI is closed and its directories deleted afterwards. */
    private static Run runOnce(Path bin, String baseUrl, long idleMs, Queue<Long> arrivals) throws Exception {
        Path root = Files.createTempDirectory("cli-version-bench-");
        Process process = null;
        StringBuffer stderr = new StringBuffer();
        try {
            ProcessBuilder pb = new ProcessBuilder(bin.toString(), "-p", "--input-format", "stream-json",
                    "--output-format", "stream-json", "--verbose", "--include-partial-messages",
                    "--permission-prompt-tool", "stdio")
                    .directory(Files.createDirectories(root.resolve("work")).toFile());
            environment(pb, root, baseUrl);
            BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
            String requestId = "bench-init-1";
            byte[] input = (initialize(requestId) + "\n" + user("hello") + "\n").getBytes(StandardCharsets.UTF_8);

            arrivals.clear();
            long spawn = System.nanoTime();
            process = pb.start();
            OutputStream stdin = process.getOutputStream();
            stdin.write(input);
            stdin.flush();
            Process p = process;
            Thread.ofPlatform().daemon().name("cli-stdout").start(() -> pump(p, lines));
            Thread.ofPlatform().daemon().name("cli-stderr").start(() -> drain(p, stderr));

            long deadline = spawn + RUN_TIMEOUT.toNanos();
            double controlResponse = -1;
            double init = -1;
            double firstToken = -1;
            double result = -1;
            while (result < 0) {
                long left = deadline - System.nanoTime();
                Line line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new IllegalStateException("no result within " + RUN_TIMEOUT + "; stderr: " + stderr);
                }
                if (EOF.equals(line.text())) {
                    throw new IllegalStateException("the CLI closed stdout (exit " + exitCode(process)
                            + ") before its result; stderr: " + stderr);
                }
                JsonNode event = JSON.readTree(line.text());
                double ms = (line.nanos() - spawn) / 1e6;
                String type = event.path("type").asText();
                if (controlResponse < 0 && type.equals("control_response")
                        && requestId.equals(event.path("response").path("request_id").asText())) {
                    if (!event.path("response").path("subtype").asText().equals("success")) {
                        throw new IllegalStateException("initialize failed: " + line.text());
                    }
                    controlResponse = ms;
                } else if (init < 0 && type.equals("system") && event.path("subtype").asText().equals("init")) {
                    init = ms;
                } else if (firstToken < 0 && type.equals("stream_event")
                        && event.path("event").path("delta").path("type").asText().equals("text_delta")) {
                    firstToken = ms;
                } else if (type.equals("result")) {
                    if (event.path("is_error").asBoolean() || !ANSWER.equals(event.path("result").asText().trim())) {
                        throw new IllegalStateException("unexpected result: " + line.text());
                    }
                    result = ms;
                }
            }
            Long arrival = arrivals.peek();
            double apiRequest = arrival == null ? -1 : (arrival - spawn) / 1e6;
            Thread.sleep(idleMs);
            List<ProcessHandle> tree = Stream.concat(Stream.of(process.toHandle()), process.descendants())
                    .filter(ProcessHandle::isAlive).toList();
            long rss = tree.stream().mapToLong(h -> rssKib(h.pid())).sum();
            return new Run(controlResponse, init, apiRequest, firstToken, result, rss, tree.size());
        } finally {
            if (process != null) {
                close(process);
            }
            deleteTree(root);
        }
    }

    private static void environment(ProcessBuilder pb, Path root, String baseUrl) throws IOException {
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        String lang = System.getenv("LANG");
        if (lang != null) {
            env.put("LANG", lang);
        }
        env.put("HOME", Files.createDirectories(root.resolve("home")).toString());
        env.put("CLAUDE_CONFIG_DIR", Files.createDirectories(root.resolve("config")).toString());
        env.put("CLAUDE_CODE_TMPDIR", Files.createDirectories(root.resolve("tmp")).toString());
        env.put("ANTHROPIC_BASE_URL", baseUrl);
        env.put("ANTHROPIC_API_KEY", "sk-ant-dummy");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("CLAUDE_CODE_MAX_RETRIES", "1");
    }

    private static String initialize(String requestId) {
        ObjectNode line = JSON.createObjectNode().put("type", "control_request").put("request_id", requestId);
        line.putObject("request").put("subtype", "initialize").putNull("hooks");
        return line.toString();
    }

    private static String user(String text) {
        ObjectNode line = JSON.createObjectNode().put("type", "user");
        line.putObject("message").put("role", "user").put("content", text);
        line.putNull("parent_tool_use_id");
        line.put("session_id", "");
        return line.toString();
    }

    /** Closes stdin, waits up to 5 s, then destroys the CLI and whatever it started (forcibly after 5 s more). */
    private static void close(Process process) throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already exited
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void pump(Process p, BlockingQueue<Line> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(new Line(System.nanoTime(), line));
            }
        } catch (IOException ignored) {
            // the CLI was stopped
        } finally {
            lines.add(new Line(System.nanoTime(), EOF));
        }
    }

    private static void drain(Process p, StringBuffer stderr) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (stderr.length() < 20_000) {
                    stderr.append(line).append('\n');
                }
            }
        } catch (IOException ignored) {
            // the CLI was stopped
        }
    }

    private static String exitCode(Process p) throws InterruptedException {
        return p.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(p.exitValue()) : "still running";
    }

    private static long rssKib(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst().orElse(0);
        } catch (IOException e) {
            return 0; // exited between listing and reading
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println("could not delete " + p + ": " + e);
                }
            });
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }

    private static String version(Path bin) throws Exception {
        return command(List.of(bin.toString(), "--version"), 30);
    }

    /** Numeric key of "2.1.197 (Claude Code)" for ordering the columns oldest first. */
    private static String versionKey(String version) {
        StringBuilder key = new StringBuilder();
        for (String part : version.split("[ ]")[0].split("\\.")) {
            key.append(String.format("%08d", part.matches("\\d+") ? Long.parseLong(part) : 0));
        }
        return key.toString();
    }

    private static String machine() throws Exception {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("nproc", command(List.of("nproc"), 10));
        facts.put("CPU", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?"));
        long memKib = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0);
        facts.put("memory", String.format(Locale.ROOT, "%.1f GiB (MemTotal %d kB)", memKib / 1048576.0, memKib));
        facts.put("commit", command(List.of("git", "rev-parse", "--short", "HEAD"), 10));
        facts.put("java", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.version"));
        StringBuilder s = new StringBuilder();
        facts.forEach((k, v) -> s.append("- ").append(k).append(": ").append(v).append('\n'));
        return s.toString();
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    /** The first line a short command prints; bounded by {@code seconds}. */
    private static String command(List<String> command, int seconds) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "? (" + String.join(" ", command) + " timed out)";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return out.lines().findFirst().orElse("?");
    }
}
