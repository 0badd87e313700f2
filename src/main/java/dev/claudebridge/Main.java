package dev.claudebridge;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.ConfigException;
import dev.claudebridge.config.EnvFile;
import dev.claudebridge.support.RedactingEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: reads the configuration, wires the adapters into the core, runs until SIGTERM. */
public final class Main {

    /** The system property logback.xml picks its appender by ({@code text} or {@code json}, from LOG_FORMAT). */
    static final String LOG_FORMAT_PROPERTY = "claude-bridge.log.format";

    /** The settings file read from the working directory, if it exists ({@link EnvFile} says its format). */
    static final String ENV_FILE = ".env";

    /** Exit status after the drain: 0 for a stop we were asked for, 1 when the gateway went away by itself. */
    private static volatile int exitStatus = 0;

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals(Training.FLAG)) {
            // The AOT cache's training run (Dockerfile): start-up against nothing, then exit through System.exit, so
            // the JVM writes the cache.
            System.setProperty(LOG_FORMAT_PROPERTY, "text");
            System.setProperty("com.zaxxer.nuprocess.enableShutdownHook", "false");
            System.exit(Training.run(System.getenv()));
        }
        BridgeConfig config;
        Map<String, String> fromFile;
        try {
            // ./.env when there is one (README "Run the bot"), under the real environment, which wins.
            fromFile = EnvFile.read(Path.of(ENV_FILE));
            config = BridgeConfig.fromEnv(EnvFile.under(System.getenv(), fromFile));
            createWorkspace(config.workspaceRoot());
        } catch (ConfigException e) {
            // One line, no stack trace: the operator only needs to know which variable to fix.
            exitWithConfigError(e, null);
            return;
        }
        // Before the first logger exists: logback reads it while it configures itself.
        System.setProperty(LOG_FORMAT_PROPERTY, config.logFormat());
        // Before the first line: the configured secrets are hidden in every line, whatever their shape.
        RedactingEncoder.hide(config.secretValues());
        // NuProcess registers a JVM shutdown hook that SIGTERMs every CLI the moment the JVM begins to shut down.
        // It would run alongside the drain below and kill the CLIs mid-turn, without the interrupt and the flush of
        // the stop sequence, and the sessions would be recorded as dead. The drain stops them itself. Set before
        // any NuProcess class loads.
        System.setProperty("com.zaxxer.nuprocess.enableShutdownHook", "false");
        Logger log = LoggerFactory.getLogger(Main.class);
        if (!fromFile.isEmpty()) {
            log.info("{} settings read from {} (the environment wins where it sets the same name)", fromFile.size(),
                    Path.of(ENV_FILE).toAbsolutePath());
        }
        log.info("starting with {}", config);
        Application app;
        try {
            app = Application.start(config, Clock.systemUTC()).block(Duration.ofMinutes(2));
        } catch (ConfigException e) {
            // Found while starting (the CLI, its version, its credentials): as with a bad setting, one line per
            // problem and exit code 2.
            exitWithConfigError(e, log);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drainAndHalt(app, config.drainTimeout(), log),
                "drain"));
        log.info("logged in; waiting for events");
        app.onDisconnect().block(); // the only block() of the main code: the main thread waits for the end
        if (!app.stopping()) {
            log.error("the gateway disconnected for good; stopping");
            exitStatus = 1;
            System.exit(1); // runs the drain hook, which ends the process with this status
        }
    }

    /** One line per problem on stderr (and in the log, once there is one), then exit code 2. */
    private static void exitWithConfigError(ConfigException e, Logger log) {
        for (String line : e.lines()) {
            if (log != null) {
                log.error("{}", line);
            }
            System.err.println("claude-bridge: " + line);
        }
        System.exit(2);
    }

    /**
     * The sessions' directories lie under WORKSPACE_ROOT; its default ($DATA_DIR/workspace) is made here, before
     * anything starts, so a first run needs no directory made by hand. A configured one already exists (checked).
     */
    private static void createWorkspace(Path workspace) {
        try {
            Files.createDirectories(workspace);
        } catch (IOException e) {
            throw new ConfigException("WORKSPACE_ROOT: cannot create the directory " + workspace + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * SIGTERM (and SIGINT, or {@code System.exit}) start the JVM's shutdown, which runs this hook: the drain, bounded
     * by {@code DRAIN_TIMEOUT}; then the logs are flushed and the process ends with {@code Runtime.halt}.
     *
     * <p>Why a shutdown hook and {@code halt}: the hook is the JVM's one supported way to act on SIGTERM (no
     * {@code sun.misc.Signal}, an internal API), and it covers every way the process is asked to stop. But a JVM
     * that a signal shut down exits with 128 + the signal (143 for SIGTERM), even after a clean drain, and Kubernetes
     * and the issue want 0. {@code halt} sets the status; it skips whatever hooks are still running, which is safe
     * here because the only other one (NuProcess's) is disabled above and logback is stopped (flushed) first.
     */
    private static void drainAndHalt(Application app, Duration drainTimeout, Logger log) {
        int status = exitStatus;
        try {
            log.info("shutting down: draining within {} ms", drainTimeout.toMillis());
            app.stop(drainTimeout).block(drainTimeout.plusSeconds(1));
            log.info("stopped");
        } catch (RuntimeException e) {
            log.error("the drain did not finish", e);
            status = Math.max(status, 1);
        } finally {
            if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
                logback.stop(); // flushes and closes the appenders
            }
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(status);
        }
    }
}
