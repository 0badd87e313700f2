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
    void fileLimitsDefaultAndAreParsedAndChecked() {
        BridgeConfig.FileLimits defaults = BridgeConfig.fromEnv(minimal()).files();
        assertThat(defaults.attachmentMaxBytes()).isEqualTo(10L << 20);
        assertThat(defaults.attachmentMaxCount()).isEqualTo(10);
        assertThat(defaults.discordUploadLimit()).isEqualTo(10L << 20);

        Map<String, String> env = minimal();
        env.put("ATTACHMENT_MAX_BYTES", "512KiB");
        env.put("ATTACHMENT_MAX_COUNT", "3");
        env.put("DISCORD_UPLOAD_LIMIT", "50MiB");
        BridgeConfig.FileLimits set = BridgeConfig.fromEnv(env).files();
        assertThat(set.attachmentMaxBytes()).isEqualTo(512 << 10);
        assertThat(set.attachmentMaxCount()).isEqualTo(3);
        assertThat(set.discordUploadLimit()).isEqualTo(50L << 20);

        env.put("ATTACHMENT_MAX_BYTES", "ten megs");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("ATTACHMENT_MAX_BYTES: expected");
        env.put("ATTACHMENT_MAX_BYTES", "1MiB");
        env.put("ATTACHMENT_MAX_COUNT", "0");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("ATTACHMENT_MAX_COUNT: expected");
        env.put("ATTACHMENT_MAX_COUNT", "101");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("ATTACHMENT_MAX_COUNT: expected");
        env.put("ATTACHMENT_MAX_COUNT", "10");
        env.put("DISCORD_UPLOAD_LIMIT", "100");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("DISCORD_UPLOAD_LIMIT: expected");
    }

    @Test
    void theDiscordUploadLimitWithoutDiscordIsAMistake() {
        Map<String, String> env = new HashMap<>();
        env.put("MATTERMOST_URL", "https://chat.example.com");
        env.put("MATTERMOST_TOKEN", "mattermost-token-value");
        env.put("MATTERMOST_ALLOWED_USERS", "alice");
        env.put("WORKSPACE_ROOT", workspace.toString());
        env.put("DISCORD_UPLOAD_LIMIT", "25MiB");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("DISCORD_TOKEN: expected")
                .hasMessageContaining("DISCORD_UPLOAD_LIMIT is set");
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
                .hasMessage("DISCORD_TOKEN: expected the bot token, but it is not set (Discord is on only with "
                        + "it, and DISCORD_MAIN_CHANNEL_ID, ALLOWED_USER_IDS are set)");
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
    void modelChoicesAreAListOfNamesTheCliTakes() {
        Map<String, String> env = minimal();
        BridgeConfig config = BridgeConfig.fromEnv(env);
        assertThat(config.modelChoices()).containsExactly("sonnet", "opus", "haiku");
        assertThat(config.allowBypassPermissions()).isFalse();
        env.put("MODEL_CHOICES", " opus , claude-sonnet-4-5-20250929,opus[1m] ");
        assertThat(BridgeConfig.fromEnv(env).modelChoices())
                .containsExactly("opus", "claude-sonnet-4-5-20250929", "opus[1m]");
        env.put("MODEL_CHOICES", "opus,bad model");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MODEL_CHOICES: expected a comma-separated list of 1 to 25 model names")
                .hasMessageEndingWith("got 'bad model'");
        env.put("MODEL_CHOICES", "opus,opus");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageContaining("none twice");
        env.put("MODEL_CHOICES", " , ");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("MODEL_CHOICES: expected");
        env.put("MODEL_CHOICES", String.join(",", java.util.stream.IntStream.range(0, 26).mapToObj(i -> "m" + i)
                .toList()));
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("MODEL_CHOICES: expected");
    }

    @Test
    void bypassModeIsOffUnlessAllowed() {
        Map<String, String> env = minimal();
        env.put("ALLOW_BYPASS_PERMISSIONS", "true");
        assertThat(BridgeConfig.fromEnv(env).allowBypassPermissions()).isTrue();
        env.put("ALLOW_BYPASS_PERMISSIONS", "sometimes");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .hasMessage("ALLOW_BYPASS_PERMISSIONS: expected true or false, got 'sometimes'");
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
    @ValueSource(strings = {"DISCORD_TOKEN", "DATABASE_URL", "CLAUDE_CODE_MAX_RETRIES, DISCORD_TOKEN",
            "MATTERMOST_TOKEN"})
    void thePassthroughMayNotNameOneOfTheBotsOwnSecrets(String names) {
        Map<String, String> env = minimal();
        env.put("CLAUDE_ENV_PASSTHROUGH", names);
        String secret = names.contains("DISCORD_TOKEN") ? "DISCORD_TOKEN"
                : names.contains("MATTERMOST_TOKEN") ? "MATTERMOST_TOKEN" : "DATABASE_URL";
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessage("CLAUDE_ENV_PASSTHROUGH: expected names of variables the CLI may see, never one of the "
                        + "bot's own secrets [DISCORD_TOKEN, MATTERMOST_TOKEN, DATABASE_URL], got '" + secret + "'");
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

    // ---- the chat platforms: Discord, Mattermost, or both ------------------------------------------------------

    private static final String MM_TOKEN = "mm-token-9x8y7z6w5v4u3t2s1r";

    private Map<String, String> mattermostOnly() {
        Map<String, String> env = new HashMap<>();
        env.put("MATTERMOST_URL", "https://chat.example.com/");
        env.put("MATTERMOST_TOKEN", MM_TOKEN);
        env.put("MATTERMOST_ALLOWED_USERS", "alice, 4xq8kz3mcbf5jrsn7tw1yhgo9e");
        env.put("WORKSPACE_ROOT", workspace.toString());
        return env;
    }

    @Test
    void adminsAreNoneByDefaultAndParsedPerPlatform() {
        assertThat(BridgeConfig.fromEnv(minimal()).admins())
                .isEqualTo(new BridgeConfig.AdminIds(java.util.Set.of(), java.util.Set.of(), java.util.Set.of()));
        Map<String, String> env = minimal();
        env.put("ADMIN_USER_IDS", "7, 8");
        env.put("ADMIN_ROLE_IDS", "9");
        env.putAll(mattermostOnly());
        env.put("MATTERMOST_ADMIN_USERS", "4xq8kz3mcbf5jrsn7tw1yhgo9e");
        BridgeConfig.AdminIds admins = BridgeConfig.fromEnv(env).admins();
        assertThat(admins.discordUserIds()).containsExactlyInAnyOrder(7L, 8L);
        assertThat(admins.discordRoleIds()).containsExactly(9L);
        assertThat(admins.mattermostUsers()).containsExactly("4xq8kz3mcbf5jrsn7tw1yhgo9e");

        env.put("MATTERMOST_ADMIN_USERS", "alice");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).hasMessageStartingWith("MATTERMOST_ADMIN_USERS: expected "
                + "Mattermost user ids");
        Map<String, String> onlyMattermost = mattermostOnly();
        onlyMattermost.put("ADMIN_USER_IDS", "7");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(onlyMattermost)).hasMessageStartingWith("DISCORD_TOKEN: expected")
                .hasMessageContaining("ADMIN_USER_IDS is set");
    }

    @Test
    void discordOnlyIsDiscordAsBefore() {
        BridgeConfig config = BridgeConfig.fromEnv(minimal());
        assertThat(config.discordEnabled()).isTrue();
        assertThat(config.mattermost()).isEmpty();
        assertThat(config.discordToken()).isEqualTo("MTExMTExMTExMTExMTExMTEx.fake.secret");
        assertThat(config.discordMainChannelId()).isEqualTo(222222222222222222L);
        assertThat(config.toString()).contains("mattermost=off").doesNotContain("discord=off");
    }

    @Test
    void mattermostOnlyNeedsNoDiscordSetting() {
        BridgeConfig config = BridgeConfig.fromEnv(mattermostOnly());
        assertThat(config.discordEnabled()).isFalse();
        assertThat(config.secretValues()).containsExactly(MM_TOKEN);
        MattermostConfig mm = config.mattermost().orElseThrow();
        assertThat(mm.url()).isEqualTo("https://chat.example.com");
        assertThat(mm.token()).isEqualTo(MM_TOKEN);
        assertThat(mm.allowedUsers()).containsExactlyInAnyOrder("alice", "4xq8kz3mcbf5jrsn7tw1yhgo9e");
        assertThat(mm.allowedTeams()).isEmpty();
        assertThat(mm.mainChannelId()).isEmpty();
        assertThat(mm.callbackPort()).isEmpty();
        assertThat(mm.callbackUrl()).isEmpty();
        assertThat(config.toString()).contains("discord=off", "mattermost=MattermostConfig[url=https://chat.example.com")
                .doesNotContain(MM_TOKEN, "mm-token");
    }

    @Test
    void bothPlatformsAtOnce() {
        Map<String, String> env = minimal();
        env.putAll(mattermostOnly());
        env.remove("MATTERMOST_ALLOWED_USERS");
        env.put("MATTERMOST_ALLOWED_TEAMS", "engineering");
        env.put("MATTERMOST_MAIN_CHANNEL_ID", "7hzq1m4ybtf3dcrk8ungwo5pxa");
        env.put("MATTERMOST_CALLBACK_PORT", "8091");
        env.put("MATTERMOST_CALLBACK_URL", "http://claude-bridge.claude-bridge.svc:8091/");
        BridgeConfig config = BridgeConfig.fromEnv(env);
        assertThat(config.discordEnabled()).isTrue();
        MattermostConfig mm = config.mattermost().orElseThrow();
        assertThat(mm.allowedTeams()).containsExactly("engineering");
        assertThat(mm.allowedUsers()).isEmpty();
        assertThat(mm.mainChannelId()).contains("7hzq1m4ybtf3dcrk8ungwo5pxa");
        assertThat(mm.callbackPort()).contains(8091);
        assertThat(mm.callbackUrl()).contains("http://claude-bridge.claude-bridge.svc:8091");
        assertThat(config.secretValues()).containsExactlyInAnyOrder("MTExMTExMTExMTExMTExMTEx.fake.secret", MM_TOKEN);
        assertThat(config.toString()).doesNotContain(MM_TOKEN, "fake.secret");
    }

    @Test
    void neitherPlatformIsRefusedNamingBothWays() {
        Map<String, String> env = new HashMap<>();
        env.put("WORKSPACE_ROOT", workspace.toString());
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessage("DISCORD_TOKEN: expected the Discord bot token, or MATTERMOST_URL and MATTERMOST_TOKEN "
                        + "for Mattermost (or both), but neither platform is set");
    }

    @Test
    void partialMattermostSettingsAreRefusedNamingTheVariable() {
        Map<String, String> noToken = mattermostOnly();
        noToken.remove("MATTERMOST_TOKEN");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(noToken))
                .hasMessage("MATTERMOST_TOKEN: expected the bot account's access token, but it is not set");

        Map<String, String> noAllowlist = mattermostOnly();
        noAllowlist.remove("MATTERMOST_ALLOWED_USERS");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(noAllowlist)).hasMessage("MATTERMOST_ALLOWED_USERS: expected "
                + "at least one user id or username (or MATTERMOST_ALLOWED_TEAMS): the bot denies everyone by default");

        Map<String, String> noUrl = mattermostOnly();
        noUrl.remove("MATTERMOST_URL");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(noUrl)).hasMessage("MATTERMOST_URL: expected the Mattermost "
                + "server's address, but it is not set (Mattermost is on only with it, and MATTERMOST_TOKEN, "
                + "MATTERMOST_ALLOWED_USERS are set)");
        // With Discord on, a stray Mattermost setting is still a mistake, not ignored.
        Map<String, String> strayBesideDiscord = minimal();
        strayBesideDiscord.put("MATTERMOST_ALLOWED_TEAMS", "engineering");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(strayBesideDiscord))
                .hasMessageStartingWith("MATTERMOST_URL: expected the Mattermost server's address, but it is not set");

        Map<String, String> strayBesideMattermost = mattermostOnly();
        strayBesideMattermost.put("ALLOWED_USER_IDS", "7");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(strayBesideMattermost)).hasMessage("DISCORD_TOKEN: expected "
                + "the bot token, but it is not set (Discord is on only with it, and ALLOWED_USER_IDS is set)");

        Map<String, String> portOnly = mattermostOnly();
        portOnly.put("MATTERMOST_CALLBACK_PORT", "8091");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(portOnly)).hasMessageStartingWith("MATTERMOST_CALLBACK_URL: "
                + "expected the callback port's address as the Mattermost server reaches it");
        Map<String, String> urlOnly = mattermostOnly();
        urlOnly.put("MATTERMOST_CALLBACK_URL", "http://bridge:8091");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(urlOnly)).hasMessageStartingWith("MATTERMOST_CALLBACK_PORT: "
                + "expected the port the callbacks are served on");

        Map<String, String> opsPort = mattermostOnly();
        opsPort.put("MATTERMOST_CALLBACK_PORT", "8081");
        opsPort.put("MATTERMOST_CALLBACK_URL", "http://bridge:8081");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(opsPort))
                .hasMessage("MATTERMOST_CALLBACK_PORT: expected a port other than OPS_PORT (8081), got '8081'");
        opsPort.put("OPS_PORT", "9000");
        assertThat(BridgeConfig.fromEnv(opsPort).mattermost().orElseThrow().callbackPort()).contains(8081);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MATTERMOST_URL=chat.example.com", "MATTERMOST_URL=ftp://chat.example.com",
            "MATTERMOST_URL=https://", "MATTERMOST_URL=https://chat.example.com/api/v4",
            "MATTERMOST_CALLBACK_PORT=0", "MATTERMOST_CALLBACK_PORT=65536", "MATTERMOST_CALLBACK_PORT=http",
            "MATTERMOST_CALLBACK_URL=bridge:8091", "MATTERMOST_MAIN_CHANNEL_ID=town-square"})
    void malformedMattermostValuesAreNamed(String setting) {
        Map<String, String> env = mattermostOnly();
        env.put("MATTERMOST_CALLBACK_PORT", "8091");
        env.put("MATTERMOST_CALLBACK_URL", "http://bridge:8091");
        String name = setting.substring(0, setting.indexOf('='));
        env.put(name, setting.substring(name.length() + 1));
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(name + ": expected");
    }

    @Test
    void theMattermostTokenIsInNoMessageEvenInTheWrongVariable() {
        Map<String, String> swapped = mattermostOnly();
        swapped.put("MATTERMOST_MAIN_CHANNEL_ID", MM_TOKEN);
        assertThatThrownBy(() -> BridgeConfig.fromEnv(swapped)).hasMessage("MATTERMOST_MAIN_CHANNEL_ID: expected a "
                + "Mattermost channel id (26 lowercase letters and digits), got '<MATTERMOST_TOKEN>'");
        Map<String, String> asUrl = mattermostOnly();
        asUrl.put("MATTERMOST_CALLBACK_PORT", "8091");
        asUrl.put("MATTERMOST_CALLBACK_URL", MM_TOKEN);
        assertThatThrownBy(() -> BridgeConfig.fromEnv(asUrl)).message().doesNotContain(MM_TOKEN)
                .contains("<MATTERMOST_TOKEN>");
        Map<String, String> withPassword = mattermostOnly();
        withPassword.put("MATTERMOST_URL", "https://proxy:proxy-password-value@chat.example.com");
        assertThat(BridgeConfig.fromEnv(withPassword).toString()).doesNotContain("proxy-password-value")
                .contains("url=https://proxy:***@chat.example.com");
        Map<String, String> asPath = mattermostOnly();
        asPath.put("DATA_DIR", "/srv/" + MM_TOKEN);
        assertThat(BridgeConfig.fromEnv(asPath).toString()).doesNotContain(MM_TOKEN);
    }

    @Test
    void theAgentRuntimeIsEmbeddedUnlessKubernetesIsAskedForWithItsDefaults() {
        assertThat(BridgeConfig.fromEnv(minimal()).kubernetes()).isEmpty();
        Map<String, String> env = minimal();
        env.put("AGENT_RUNTIME", "kubernetes");
        KubernetesConfig k = BridgeConfig.fromEnv(env).kubernetes().orElseThrow();
        assertThat(k).isEqualTo(new KubernetesConfig("claude-bridge-sessions",
                java.nio.file.Path.of("/etc/claude-bridge/session-pod.yaml"), "claude-model-credentials", "5Gi",
                java.util.Optional.empty(), "/session", "/app/tools/node_modules/.bin/claude"));
        env.put("SESSION_MOUNT_PATH", "/work/");
        env.put("SESSION_CLAIM_STORAGE_CLASS", "fast");
        assertThat(BridgeConfig.fromEnv(env).kubernetes().orElseThrow().mountPath()).isEqualTo("/work");

        Map<String, String> bad = minimal();
        bad.put("AGENT_RUNTIME", "docker");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(bad)).hasMessage("AGENT_RUNTIME: expected embedded or "
                + "kubernetes, got 'docker'");
        bad.put("AGENT_RUNTIME", "kubernetes");
        bad.put("SESSION_NAMESPACE", "Sessions_1");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(bad)).message().startsWith("SESSION_NAMESPACE: expected a "
                + "Kubernetes name");
        bad.remove("SESSION_NAMESPACE");
        bad.put("SESSION_CLAIM_SIZE", "lots");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(bad)).message().startsWith("SESSION_CLAIM_SIZE");
        bad.remove("SESSION_CLAIM_SIZE");
        bad.put("SESSION_MOUNT_PATH", "/");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(bad)).message().startsWith("SESSION_MOUNT_PATH");
    }
}
