package dev.claudebridge.testkit.anthropic;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real claude CLI in stream-json mode, driven from the JUnit thread (plain blocking I/O is fine there:
 * these threads are not Reactor's). Every wait has a timeout.
 */
final class ClaudeProcess implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();

    private ClaudeProcess(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread.ofPlatform().daemon().name("claude-stdout").start(() -> pump(process, true));
        Thread.ofPlatform().daemon().name("claude-stderr").start(() -> pump(process, false));
    }

    /** Starts the CLI with {@code dir} as cwd, HOME, config and temp dir, talking to {@code baseUrl}. */
    static ClaudeProcess start(Path dir, String baseUrl) throws IOException {
        String bin = System.getProperty("claude.bin", "tools/node_modules/.bin/claude");
        if (!Files.isExecutable(Path.of(bin))) {
            fail("the claude CLI is missing at " + bin + " (cd tools && npm ci)");
        }
        Path home = Files.createDirectories(dir.resolve("home"));
        Path config = Files.createDirectories(dir.resolve("config"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path work = Files.createDirectories(dir.resolve("work"));
        ProcessBuilder pb = new ProcessBuilder(bin, "-p", "--input-format", "stream-json",
                "--output-format", "stream-json", "--verbose", "--include-partial-messages",
                "--permission-prompt-tool", "stdio").directory(work.toFile());
        Map<String, String> env = pb.environment();
        String path = env.get("PATH");
        env.clear();
        env.put("PATH", path);
        env.put("HOME", home.toString());
        env.put("CLAUDE_CONFIG_DIR", config.toString());
        env.put("CLAUDE_CODE_TMPDIR", tmp.toString());
        env.put("ANTHROPIC_BASE_URL", baseUrl);
        env.put("ANTHROPIC_API_KEY", "sk-ant-dummy");
        env.put("CLAUDE_CODE_MAX_RETRIES", "1");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        return new ClaudeProcess(pb.start());
    }

    void sendUser(String text) throws IOException {
        ObjectNode line = JSON.createObjectNode().put("type", "user");
        line.putObject("message").put("role", "user").put("content", text);
        line.putNull("parent_tool_use_id");
        line.put("session_id", "");
        send(line);
    }

    void send(JsonNode line) throws IOException {
        stdin.write((line.toString() + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** The next stdout line as JSON; fails on timeout or end of output. */
    JsonNode next(Duration timeout) throws InterruptedException, IOException {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            fail("no stdout line from claude within " + timeout + "; stderr: " + stderr);
        }
        if (line.equals(EOF)) {
            fail("claude closed stdout (exit " + process.waitFor() + "); stderr: " + stderr);
        }
        return JSON.readTree(line);
    }

    /**
     * Reads lines until {@code result}, handing each to {@code onLine} (which may answer control requests).
     * Returns all lines read, the result last.
     */
    List<JsonNode> untilResult(Duration timeout, LineHandler onLine) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> read = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("no result from claude within " + timeout + "; read " + read.size() + " lines");
            }
            JsonNode line = next(Duration.ofNanos(left));
            read.add(line);
            onLine.handle(line);
            if (line.path("type").asText().equals("result")) {
                return read;
            }
        }
    }

    /** Answers a can_use_tool control request with allow and the input unchanged. */
    void allow(JsonNode controlRequest) throws IOException {
        ObjectNode answer = JSON.createObjectNode().put("type", "control_response");
        ObjectNode response = answer.putObject("response");
        response.put("subtype", "success").put("request_id", controlRequest.path("request_id").asText());
        response.putObject("response").put("behavior", "allow")
                .set("updatedInput", controlRequest.path("request").path("input"));
        send(answer);
    }

    @FunctionalInterface
    interface LineHandler {
        void handle(JsonNode line) throws Exception;
    }

    @Override
    public void close() throws Exception {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // the CLI already exited
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private void pump(Process p, boolean out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                out ? p.getInputStream() : p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (out) {
                    lines.add(line);
                } else {
                    stderr.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            stderr.append("[reading failed: ").append(e).append("]\n");
        } finally {
            if (out) {
                lines.add(EOF);
            }
        }
    }
}
