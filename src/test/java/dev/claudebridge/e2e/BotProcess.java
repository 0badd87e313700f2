package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged bot jar as its own OS process (for what needs a real process: kill -9, SIGTERM). */
final class BotProcess implements AutoCloseable {

    final Process process;
    final Path log;

    private BotProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static BotProcess start(Map<String, String> env, Path log) throws IOException {
        return start(env, log, null);
    }

    /** With {@code stderr} null, stderr goes into the same file as stdout. */
    static BotProcess start(Map<String, String> env, Path log, Path stderr) throws IOException {
        String jar = System.getProperty("bridge.jar", "target/claude-bridge.jar");
        assertThat(Path.of(jar)).as("the packaged jar (failsafe runs after package)").isRegularFile();
        // Run in the test's directory, not the checkout: the bot reads ./.env, and a developer's own must not leak in.
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of(jar).toAbsolutePath().toString())
                .directory(log.toAbsolutePath().getParent().toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        if (stderr == null) {
            builder.redirectErrorStream(true);
        } else {
            builder.redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
        }
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process process = builder.start();
        process.getOutputStream().close();
        return new BotProcess(process, log);
    }

    /** The bot's {@code claude} children, as the OS sees them. */
    List<ProcessHandle> clis() {
        return process.descendants()
                .filter(p -> p.info().command().map(c -> c.contains("claude")).orElse(false))
                .toList();
    }

    void kill9() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
