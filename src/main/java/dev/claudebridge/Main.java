package dev.claudebridge;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.ConfigException;
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
        log.info("configuration OK: {}", config);
        // The Discord adapter (issue 4) is not wired yet: this build only checks its configuration.
        log.warn("the Discord bot is not part of this build yet; exiting");
    }
}
