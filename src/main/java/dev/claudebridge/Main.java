package dev.claudebridge;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.ConfigException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: reads the configuration, wires the adapters into the core, runs until SIGTERM. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        BridgeConfig config;
        try {
            config = BridgeConfig.fromEnv(System.getenv());
        } catch (ConfigException e) {
            // One line, no stack trace: the operator only needs to know which variable to fix.
            System.err.println("claude-bridge: " + e.getMessage());
            System.exit(2);
            return;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        log.info("starting with {}", config);
        Application app = Application.start(config, Clock.systemUTC()).block(Duration.ofMinutes(2));
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                app.stop(config.drainTimeout()).block(config.drainTimeout().plusSeconds(2)), "drain"));
        log.info("logged in; waiting for events");
        app.onDisconnect().block(); // the only block() of the main code: the main thread waits for the end
    }
}
