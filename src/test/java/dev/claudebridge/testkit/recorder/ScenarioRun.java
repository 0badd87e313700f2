package dev.claudebridge.testkit.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.anthropic.ScriptFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import reactor.core.Disposable;

/**
 * Runs one {@link Scenario} against a fresh {@link FakeAnthropicApi} and writes its four files. Plain threads and
 * blocking I/O: this runs from a main class, never on a Reactor thread. Every wait is bounded.
 */
final class ScenarioRun {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)(?::([^}]*))?}");
    private static final double MAX_SCENARIO_SECONDS = 900;
    private static final long END_GRACE_MS = 3000;

    private final Scenario scenario;
    private final Path cli;
    private final Path outDir;
    private final Dirs dirs;
    private final Map<String, String> sessionIds;
    private final Object lock = new Object();
    private final List<Seen> seen = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<Integer, Double> requestTimes = new ConcurrentHashMap<>();
    private boolean stdoutClosed;
    private boolean stdinClosed;
    private long t0;
    private Writer annotated;
    private OutputStream stdin;

    /** A stdout line as it arrived. */
    private record Seen(String kind, double t, JsonNode obj) {
    }

    /** The isolated directories of a run; a resume reuses those of the run it resumes. */
    record Dirs(Path root, Path home, Path config, Path cwd, Path tmp) {
        static Dirs under(Path root) throws IOException {
            Path home = Files.createDirectories(root.resolve("home"));
            Files.createDirectories(root.resolve("extra"));
            return new Dirs(root, home, Files.createDirectories(home.resolve(".claude")),
                    Files.createDirectories(root.resolve("workspace")), Files.createDirectories(root.resolve("tmp")));
        }
    }

    /** What the recorder prints per scenario. */
    record Outcome(String name, String exit, double seconds, String sessionId, List<String> notes) {
    }

    ScenarioRun(Scenario scenario, Path cli, Path outDir, Dirs dirs, Map<String, String> sessionIds) {
        this.scenario = scenario;
        this.cli = cli;
        this.outDir = outDir;
        this.dirs = dirs;
        this.sessionIds = sessionIds;
    }

    Outcome run() throws IOException, InterruptedException {
        for (Map.Entry<String, String> f : scenario.files().entrySet()) {
            Path file = dirs.root().resolve(expand(f.getKey()));
            Files.createDirectories(file.getParent());
            Files.writeString(file, expand(f.getValue()));
        }
        String name = scenario.name();
        try (FakeAnthropicApi api = FakeAnthropicApi.start();
             Writer ann = Files.newBufferedWriter(outDir.resolve(name + ".annotated.jsonl"));
             OutputStream stdoutFile = Files.newOutputStream(outDir.resolve(name + ".jsonl"));
             OutputStream stderrFile = Files.newOutputStream(outDir.resolve(name + ".stderr.txt"))) {
            annotated = ann;
            // 2.1.332 checks a model named in set_model with a probe of its own (non-streaming, max_tokens 1,
            // text "Hi"); answered here so that it does not take a scripted reply meant for a turn.
            api.on(Match.userTextEquals("Hi"), Reply.text("Hi"));
            ScriptFile.parse(Scenario.JSON.readTree(expand(scenario.rules().toString())))
                    .forEach(r -> api.on(r.match(), r.reply()));
            List<String> command = new ArrayList<>();
            command.add(cli.toString());
            scenario.argv().forEach(a -> command.add(expand(a)));
            ProcessBuilder pb = new ProcessBuilder(command).directory(dirs.cwd().toFile());
            Map<String, String> env = pb.environment();
            String path = env.get("PATH");
            env.clear();
            env.put("PATH", path);
            env.put("HOME", dirs.home().toString());
            env.put("CLAUDE_CONFIG_DIR", dirs.config().toString());
            env.put("CLAUDE_CODE_TMPDIR", dirs.tmp().toString());
            env.put("ANTHROPIC_BASE_URL", api.baseUrl());
            env.put("ANTHROPIC_API_KEY", "sk-ant-dummy");
            env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
            scenario.env().forEach((k, v) -> env.put(k, expand(v)));

            ObjectNode argvLine = Scenario.JSON.createObjectNode().put("t", 0).put("dir", "meta");
            ArrayNode argv = argvLine.putArray("argv").add("claude");
            command.subList(1, command.size()).forEach(argv::add);
            t0 = System.nanoTime();
            Disposable timing = api.requestStream().subscribe(r -> requestTimes.putIfAbsent(r.index(), now()));
            Process process = pb.start();
            write(argvLine);
            stdin = process.getOutputStream();
            Thread out = Thread.ofPlatform().name(name + "-stdout").start(
                    () -> pump(process.getInputStream(), stdoutFile, this::onStdout, true));
            Thread err = Thread.ofPlatform().name(name + "-stderr").start(
                    () -> pump(process.getErrorStream(), stderrFile, this::onStderr, false));

            double previous = 0;
            for (Scenario.Step step : scenario.steps()) {
                double base = previous;
                if (step.afterKind() != null) {
                    Seen anchor = await(step.afterKind(), step.afterN(), step.timeout());
                    base = anchor != null ? anchor.t() : now();
                }
                sleepUntil(base + step.delay());
                execute(step, process);
                previous = now();
            }
            double exitWait = Math.min(scenario.exitTimeoutSeconds(), MAX_SCENARIO_SECONDS);
            // A harness that has nothing more to say closes stdin; the reference did so implicitly when a run ended
            // on its own (a failed resume), where a newer CLI may go on running.
            if (!stdinClosed && !process.waitFor(END_GRACE_MS, TimeUnit.MILLISECONDS)) {
                execute(new Scenario.Step(null, 1, 0, 0, "closeStdin", null, null, 1), process);
            }
            if (!process.waitFor((long) (exitWait * 1000), TimeUnit.MILLISECONDS)) {
                note("process did not exit within " + exitWait + "s; sending SIGTERM");
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    note("still running; sending SIGKILL");
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            out.join(10_000);
            err.join(10_000);
            String exit = process.isAlive() ? "alive" : String.valueOf(process.exitValue());
            note("process exited rc=" + exit);
            timing.dispose();
            RequestLog.write(outDir.resolve(name + ".requests.jsonl"), api.allRequests(), requestTimes);
            String sid = sessionId();
            if (sid != null) {
                sessionIds.put(name, sid);
            }
            return new Outcome(name, exit, now(), sid, List.copyOf(notes));
        }
    }

    private void execute(Scenario.Step step, Process process) throws IOException, InterruptedException {
        switch (step.action()) {
            case "send" -> {
                String line = expand(step.arg());
                if (step.answerKind() != null) {
                    Seen request = nth(step.answerKind(), step.answerN());
                    if (request == null) {
                        note("not answered: no " + step.answerKind() + " #" + step.answerN() + " in this run");
                        return;
                    }
                    JsonNode r = request.obj();
                    line = line.replace("${REQUEST_ID}", r.path("request_id").asText())
                            .replace("\"${REQUEST_INPUT}\"", r.path("request").path("input").toString());
                }
                send(line);
            }
            case "closeStdin" -> {
                stdinClosed = true;
                note("closing stdin");
                try {
                    stdin.close();
                } catch (IOException e) {
                    note("close failed: " + e.getMessage());
                }
            }
            case "signal" -> {
                note("sending signal " + step.arg());
                // SIGKILL and SIGTERM straight from the JVM: spawning kill(1) takes milliseconds, and 06a is about
                // whether a kill right after the result loses the session.
                if (!process.isAlive()) {
                    note("not sent: the process has exited");
                } else if (step.arg().equals("9")) {
                    process.destroyForcibly();
                } else if (step.arg().equals("15")) {
                    process.destroy();
                } else {
                    new ProcessBuilder("kill", "-" + step.arg(), String.valueOf(process.pid()))
                            .inheritIO().start().waitFor(5, TimeUnit.SECONDS);
                }
            }
            case "sessionFileNote" -> note(sessionFile());
            case "fileNote" -> {
                Path file = dirs.root().resolve(expand(step.arg()));
                note("file " + step.arg() + ": " + (Files.exists(file) ? Files.readString(file).strip() : "missing"));
            }
            default -> note(step.arg());
        }
    }

    private void send(String line) {
        synchronized (lock) {
            writeLocked(Scenario.JSON.createObjectNode().put("t", now()).put("dir", "in").put("line", line));
        }
        try {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            note("write failed: " + e.getMessage());
        }
    }

    private String sessionFile() throws IOException {
        String sid = sessionId();
        Path projects = dirs.config().resolve("projects");
        if (sid == null || !Files.isDirectory(projects)) {
            return "session file: none yet";
        }
        try (Stream<Path> files = Files.walk(projects, 2)) {
            return files.filter(p -> p.getFileName().toString().equals(sid + ".jsonl")).findFirst()
                    .map(p -> "session file " + p.getFileName() + " size=" + p.toFile().length())
                    .orElse("session file " + sid + ".jsonl missing");
        }
    }

    private String sessionId() {
        synchronized (lock) {
            return seen.stream().map(s -> s.obj().path("session_id").asText(""))
                    .filter(s -> !s.isEmpty()).findFirst().orElse(null);
        }
    }

    /** Expands ${ROOT}, ${HOME}, ${CONFIG}, ${CWD}, ${TMP} and ${SESSION:scenario}. */
    private String expand(String s) {
        Matcher m = PLACEHOLDER.matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "ROOT" -> dirs.root().toString();
                case "HOME" -> dirs.home().toString();
                case "CONFIG" -> dirs.config().toString();
                case "CWD" -> dirs.cwd().toString();
                case "TMP" -> dirs.tmp().toString();
                case "SESSION" -> sessionIds.getOrDefault(m.group(2), "00000000-0000-4000-8000-00000000dead");
                default -> m.group(); // ${REQUEST_ID} and friends are filled in when the step runs
            };
            m.appendReplacement(b, Matcher.quoteReplacement(value));
        }
        return m.appendTail(b).toString();
    }

    private Seen await(String kind, int n, double timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (Math.min(timeoutSeconds, MAX_SCENARIO_SECONDS) * 1e9);
        synchronized (lock) {
            while (true) {
                Seen found = nthLocked(kind, n);
                if (found != null) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                if (stdoutClosed || left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
        note((stdoutClosed ? "stdout closed before " : "wait_for timeout after " + timeoutSeconds + "s: ")
                + kind + " #" + n);
        return null;
    }

    private Seen nth(String kind, int n) {
        synchronized (lock) {
            return nthLocked(kind, n);
        }
    }

    private Seen nthLocked(String kind, int n) {
        int count = 0;
        for (Seen s : seen) {
            if (s.kind().equals(kind) && ++count == n) {
                return s;
            }
        }
        return null;
    }

    private void onStdout(String line) {
        double t = now();
        JsonNode obj = null;
        try {
            obj = Scenario.JSON.readTree(line);
        } catch (IOException e) {
            // not JSON: recorded as a raw line below
        }
        synchronized (lock) {
            ObjectNode a = Scenario.JSON.createObjectNode().put("t", t).put("dir", "out");
            if (obj != null && obj.isObject()) {
                a.set("obj", obj);
                seen.add(new Seen(Kinds.of(obj), t, obj));
            } else {
                a.put("line", line);
            }
            writeLocked(a);
            lock.notifyAll();
        }
    }

    private void onStderr(String line) {
        synchronized (lock) {
            writeLocked(Scenario.JSON.createObjectNode().put("t", now()).put("dir", "err").put("line", line));
        }
    }

    private void note(String text) {
        synchronized (lock) {
            notes.add(text);
            writeLocked(Scenario.JSON.createObjectNode().put("t", now()).put("dir", "meta").put("note", text));
        }
    }

    private void write(ObjectNode line) {
        synchronized (lock) {
            writeLocked(line);
        }
    }

    private void writeLocked(ObjectNode line) {
        try {
            annotated.write(line.toString());
            annotated.write('\n');
            annotated.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the annotated transcript", e);
        }
    }

    /** Copies a stream to its file byte for byte and hands each complete line to {@code onLine}. */
    private void pump(InputStream in, OutputStream file, Consumer<String> onLine, boolean isStdout) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                file.write(buf, 0, n);
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        onLine.accept(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(buf[i]);
                    }
                }
            }
        } catch (IOException e) {
            note("reading " + (isStdout ? "stdout" : "stderr") + " failed: " + e.getMessage());
        } finally {
            if (line.size() > 0) {
                onLine.accept(line.toString(StandardCharsets.UTF_8));
            }
            try {
                file.flush();
            } catch (IOException ignored) {
                // the try-with-resources in run() reports a broken file
            }
            if (isStdout) {
                synchronized (lock) {
                    stdoutClosed = true;
                    lock.notifyAll();
                }
            }
        }
    }

    private void sleepUntil(double t) throws InterruptedException {
        long ms = (long) ((t - now()) * 1000);
        if (ms > 0) {
            Thread.sleep(Math.min(ms, (long) (MAX_SCENARIO_SECONDS * 1000)));
        }
    }

    private double now() {
        return Math.round((System.nanoTime() - t0) / 1e6) / 1000.0;
    }
}
