package dev.claudebridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.ConfigException;
import dev.claudebridge.ops.Ops;
import dev.claudebridge.support.BotSchedulers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up checks follow the agent runtime: the embedded one runs the CLI and needs model credentials, so a
 * missing CLI or key stops start-up; in the kubernetes runtime the bot has no CLI and no model key of its own (the
 * session pods have theirs), so neither is asked for.
 */
final class AgentsTest {

    @TempDir
    Path dir;

    private Map<String, String> settings() {
        Map<String, String> env = new HashMap<>();
        env.put("DISCORD_TOKEN", "MTExMTExMTExMTExMTExMTEx.fake.secret");
        env.put("DISCORD_MAIN_CHANNEL_ID", "222222222222222222");
        env.put("ALLOWED_USER_IDS", "1");
        env.put("DATA_DIR", dir.toString());
        env.put("CLAUDE_BIN", "/nonexistent/claude");
        env.put("PATH", System.getenv("PATH"));
        return env;
    }

    @Test
    void theEmbeddedRuntimeChecksItsCliAndCredentials() {
        try (BotSchedulers schedulers = BotSchedulers.create();
                Agents agents = new Agents(BridgeConfig.fromEnv(settings()), schedulers.processStart(),
                        Clock.systemUTC(), Ops.metrics())) {
            assertThatThrownBy(() -> agents.version().block(Duration.ofSeconds(30)))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("CLAUDE_BIN");
        }
    }

    @Test
    void theKubernetesRuntimeAsksForNeither() {
        Map<String, String> env = settings();
        env.put("AGENT_RUNTIME", "kubernetes");
        try (BotSchedulers schedulers = BotSchedulers.create();
                Agents agents = new Agents(BridgeConfig.fromEnv(env), schedulers.processStart(), Clock.systemUTC(),
                        Ops.metrics())) {
            assertThat(agents.version().block(Duration.ofSeconds(30)).version()).isEqualTo("in the session image");
        }
    }
}
