package dev.claudebridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class BridgeConfigTest {

    @TempDir
    Path workspace;

    private Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("DISCORD_TOKEN", "MTExMTExMTExMTExMTExMTEx.fake.secret");
        env.put("DISCORD_MAIN_CHANNEL_ID", "222222222222222222");
        env.put("ALLOWED_USER_IDS", "1, 2,3");
        env.put("WORKSPACE_ROOT", workspace.toString());
        return env;
    }

    @Test
    void defaultsFollowTheSettingsTable() {
        BridgeConfig config = BridgeConfig.fromEnv(minimal());
        assertThat(config.allowedUserIds()).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(config.queueLimit()).isEqualTo(10);
        assertThat(config.permissionTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(25));
        assertThat(config.maxLineBytes()).isEqualTo(8 << 20);
        assertThat(config.claudeConfigDir()).isEqualTo(config.dataDir().resolve("claude"));
        assertThat(config.databaseUrl()).isEqualTo("r2dbc:h2:file:///" + config.dataDir().resolve("claude-bridge"));
        assertThat(config.databaseUrl()).startsWith("r2dbc:h2:file:////");
        assertThat(config.toString()).doesNotContain("secret");
    }

    @Test
    void theLoggedConfigurationHoldsNoSecret() {
        Map<String, String> env = minimal();
        env.put("ANTHROPIC_API_KEY", "sk-ant-api-key-value");
        env.put("CLAUDE_CODE_OAUTH_TOKEN", "sk-ant-oat-token-value");
        env.put("DATABASE_URL", "r2dbc:postgresql://bridge:db-password-value@db.example:5432/bridge");
        String printed = BridgeConfig.fromEnv(env).toString();
        assertThat(printed).doesNotContain("MTExMTExMTExMTExMTExMTEx.fake.secret", "secret", "sk-ant",
                "db-password-value", "bridge:", "db.example");
        assertThat(printed).contains("database=r2dbc:postgresql", "opsPort=8081", "logFormat=text");
    }

    @Test
    void aMissingRequiredSettingIsNamed() {
        Map<String, String> env = minimal();
        env.remove("DISCORD_TOKEN");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessage("DISCORD_TOKEN: expected the bot token, but it is not set");
    }

    @Test
    void malformedValuesAreNamedWithWhatIsExpected() {
        Map<String, String> env = minimal();
        env.put("TURN_TIMEOUT", "ten minutes");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .hasMessage("TURN_TIMEOUT: expected a duration such as 500ms, 30s, 5m or 1h, got 'ten minutes'");
        env.put("TURN_TIMEOUT", "10m");
        env.put("DISCORD_MAIN_CHANNEL_ID", "general");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("DISCORD_MAIN_CHANNEL_ID: expected");
        env.put("DISCORD_MAIN_CHANNEL_ID", "5");
        env.put("MAX_LINE_BYTES", "8 megs");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("MAX_LINE_BYTES: expected");
    }

    @Test
    void denyByDefaultNeedsAnAllowlistOrAllowEveryone() {
        Map<String, String> env = minimal();
        env.remove("ALLOWED_USER_IDS");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("ALLOWED_USER_IDS: expected");
        env.put("ALLOW_EVERYONE", "true");
        assertThat(BridgeConfig.fromEnv(env).allowEveryone()).isTrue();
        env.remove("ALLOW_EVERYONE");
        env.put("ALLOWED_ROLE_IDS", "99");
        assertThat(BridgeConfig.fromEnv(env).allowedRoleIds()).containsExactly(99L);
    }

    @Test
    void theStopSequenceMustFitTheDrainDeadline() {
        Map<String, String> env = minimal();
        env.put("STOP_GRACE", "30s");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("DRAIN_TIMEOUT: expected at least");
    }

    @Test
    void theWorkspaceMustExist() {
        Map<String, String> env = minimal();
        env.put("WORKSPACE_ROOT", workspace.resolve("nope").toString());
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("WORKSPACE_ROOT: expected an existing directory");
    }

    /** Not set: $DATA_DIR/workspace, which need not exist yet (Main creates it before anything starts). */
    @Test
    void theWorkspaceDefaultsToOneUnderTheDataDirectory() {
        Map<String, String> env = minimal();
        env.remove("WORKSPACE_ROOT");
        env.put("DATA_DIR", workspace.resolve("fresh-data").toString());
        BridgeConfig config = BridgeConfig.fromEnv(env);
        assertThat(config.workspaceRoot()).isEqualTo(workspace.resolve("fresh-data").resolve("workspace"))
                .doesNotExist();
        env.put("WORKSPACE_ROOT", "   ");
        assertThat(BridgeConfig.fromEnv(env).workspaceRoot()).isEqualTo(config.workspaceRoot());
    }

    /** Not set: the CLI `./mvnw package` installed into tools/ when it is there, else claude on PATH. */
    @Test
    void theCliDefaultsToTheOneTheBuildInstalled() throws Exception {
        Path checkout = workspace.resolve("checkout");
        Files.createDirectories(checkout);
        assertThat(BridgeConfig.claudeBin(new Settings(Map.of()), checkout)).isEqualTo("claude");

        Path installed = Files.createDirectories(checkout.resolve("tools/node_modules/.bin")).resolve("claude");
        Files.writeString(installed, "#!/bin/sh\n");
        assertThat(BridgeConfig.claudeBin(new Settings(Map.of()), checkout)).as("not executable")
                .isEqualTo("claude");
        Files.setPosixFilePermissions(installed, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(BridgeConfig.claudeBin(new Settings(Map.of()), checkout)).isEqualTo(installed.toString());

        // Set, it wins; a path is made absolute (the CLI starts in the session's directory), a bare name is kept.
        assertThat(BridgeConfig.claudeBin(new Settings(Map.of("CLAUDE_BIN", "claude")), checkout))
                .isEqualTo("claude");
        assertThat(BridgeConfig.claudeBin(new Settings(Map.of("CLAUDE_BIN", "bin/../cli/claude")), checkout))
                .isEqualTo(checkout.resolve("cli/claude").toString());
        assertThat(BridgeConfig.claudeBin(new Settings(Map.of("CLAUDE_BIN", "/opt/claude/bin/claude")), checkout))
                .isEqualTo("/opt/claude/bin/claude");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql://bridge:db-password-value@db.example:5432/bridge",
            "postgres:bridge:db-password-value@db.example/bridge",
            "r2dbc:mysql://db.example/bridge?user=bridge&password=db-password-value",
            "jdbc:postgresql://db.example/bridge?user=bridge&password=db-password-value&ssl=true"})
    void anInvalidDatabaseUrlIsQuotedWithoutItsPassword(String url) {
        Map<String, String> env = minimal();
        env.put("DATABASE_URL", url);
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("DATABASE_URL: expected an r2dbc:h2:... or r2dbc:postgresql://... URL, got '")
                .hasMessageContaining("db.example")
                .hasMessageContaining("***")
                .message().doesNotContain("db-password-value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"DISCORD_TOKEN", "DATABASE_URL", "CLAUDE_CODE_MAX_RETRIES, DISCORD_TOKEN"})
    void thePassthroughMayNotNameOneOfTheBotsOwnSecrets(String names) {
        Map<String, String> env = minimal();
        env.put("CLAUDE_ENV_PASSTHROUGH", names);
        String secret = names.contains("DISCORD_TOKEN") ? "DISCORD_TOKEN" : "DATABASE_URL";
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessage("CLAUDE_ENV_PASSTHROUGH: expected names of variables the CLI may see, never one of the "
                        + "bot's own secrets [DISCORD_TOKEN, DATABASE_URL], got '" + secret + "'");
    }

    @Test
    void theCliCredentialsMayBeNamedTheCliGetsThemAnyway() {
        Map<String, String> env = minimal();
        env.put("CLAUDE_ENV_PASSTHROUGH", "ANTHROPIC_API_KEY,CLAUDE_CODE_OAUTH_TOKEN,DISABLE_AUTOUPDATER");
        assertThat(BridgeConfig.fromEnv(env).claudeEnvPassthrough())
                .containsExactly("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "DISABLE_AUTOUPDATER");
    }

    @Test
    void theSecretValuesAreEverySecretSettingAndTheDatabasePassword() {
        Map<String, String> env = minimal();
        env.put("ANTHROPIC_API_KEY", "sk-ant-api-key-value");
        env.put("CLAUDE_CODE_OAUTH_TOKEN", "sk-ant-oat-token-value");
        env.put("DATABASE_URL", "r2dbc:postgresql://bridge:db-password-value@db.example:5432/bridge");
        assertThat(BridgeConfig.fromEnv(env).secretValues()).containsExactlyInAnyOrder(
                "MTExMTExMTExMTExMTExMTEx.fake.secret", "sk-ant-api-key-value", "sk-ant-oat-token-value",
                "db-password-value");
        assertThat(BridgeConfig.fromEnv(minimal()).secretValues())
                .containsExactly("MTExMTExMTExMTExMTExMTEx.fake.secret");
    }
}
