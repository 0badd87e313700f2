package dev.claudebridge.config;

import dev.claudebridge.support.Redaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting of the bot (docs/architecture.md §5), parsed and validated once from an environment map. Tests build it
 * from a map; {@code Main} from {@code System.getenv()}. Nothing else reads the process environment: the CLI's
 * environment is built from {@link #environment()}.
 *
 * <p>Each chat platform is on when its settings are given, and at least one must be: Discord when
 * {@code DISCORD_TOKEN} is set ({@link #discordEnabled()}; its settings below are then as validated, and otherwise
 * empty: a token of {@code ""}, channel 0, no allowlist), Mattermost when {@code MATTERMOST_URL} is set
 * ({@link #mattermost()}). The CLIs run as the bot's children unless {@code AGENT_RUNTIME=kubernetes}
 * ({@link #kubernetes()}: each in a pod of its own).
 */
public record BridgeConfig(
        String discordToken,
        String discordApiBaseUrl,
        Optional<Long> discordGuildId,
        long discordMainChannelId,
        Set<Long> allowedUserIds,
        Set<Long> allowedRoleIds,
        boolean allowEveryone,
        Path workspaceRoot,
        String claudeBin,
        Path claudeConfigDir,
        List<String> claudeEnvPassthrough,
        Path dataDir,
        Path cliTmpDir,
        String databaseUrl,
        String opsBindAddress,
        int opsPort,
        int queueLimit,
        Duration permissionTimeout,
        Duration turnTimeout,
        Duration idleTimeout,
        Duration interruptWait,
        Duration stopGrace,
        Duration killAfter,
        Duration drainTimeout,
        Duration presenceMinInterval,
        Duration interactionDeadlineMargin,
        int maxLineBytes,
        int maxLiveClis,
        int maxSessionsPerUser,
        Optional<Duration> editInterval,
        String logFormat,
        Map<String, String> environment,
        boolean discordEnabled,
        Optional<MattermostConfig> mattermost,
        Optional<KubernetesConfig> kubernetes,
        FileLimits files,
        AdminIds admins,
        List<String> modelChoices,
        boolean allowBypassPermissions) {

    /**
     * Admins: they see everyone's sessions in {@code /sessions}, may stop any session and run {@code /stopall}.
     *
     * @param discordUserIds  {@code ADMIN_USER_IDS}: Discord user ids
     * @param discordRoleIds  {@code ADMIN_ROLE_IDS}: Discord role ids whose members are admins
     * @param mattermostUsers {@code MATTERMOST_ADMIN_USERS}: Mattermost user ids (26 characters; Mattermost's own
     *                        team and system admins are not admins of the bot unless listed)
     */
    public record AdminIds(Set<Long> discordUserIds, Set<Long> discordRoleIds, Set<String> mattermostUsers) {
        public AdminIds {
            discordUserIds = Set.copyOf(discordUserIds);
            discordRoleIds = Set.copyOf(discordRoleIds);
            mattermostUsers = Set.copyOf(mattermostUsers);
        }
    }

    /**
     * Files in and out.
     *
     * @param attachmentMaxBytes {@code ATTACHMENT_MAX_BYTES}: the largest file a user's message may attach
     * @param attachmentMaxCount {@code ATTACHMENT_MAX_COUNT}: the most files one message may attach
     * @param discordUploadLimit {@code DISCORD_UPLOAD_LIMIT}: the largest file the bot attaches on Discord
     *                           ({@code /download}); 10 MiB, a server without boosts (Mattermost says its own)
     */
    public record FileLimits(long attachmentMaxBytes, int attachmentMaxCount, long discordUploadLimit) {
    }

    public static final String DISCORD_API = "https://discord.com/api/v10";
    /** Where {@code ./mvnw package} installs the pinned CLI, relative to the checkout (the working directory). */
    static final Path INSTALLED_CLI = Path.of("tools", "node_modules", ".bin", "claude");
    /** {@code WORKSPACE_ROOT}'s default, under {@code DATA_DIR}. */
    static final String DEFAULT_WORKSPACE = "workspace";

    /**
     * The settings of the bot that are its own credentials: never passed to the CLI, so CLAUDE_ENV_PASSTHROUGH may not
     * name them (the CLI runs whatever the agent decides; with a platform's token it could act as the bot). A new
     * platform's credential belongs here. ANTHROPIC_API_KEY and CLAUDE_CODE_OAUTH_TOKEN are
     * not in the list on purpose: they are the CLI's credentials, which the bot never uses itself and always passes
     * to the CLI ({@code CliEnvironment.BASE}), so naming them again exposes nothing more.
     */
    public static final List<String> OWN_SECRETS = List.of("DISCORD_TOKEN", "MATTERMOST_TOKEN", "DATABASE_URL");

    /** The settings that mean something only with {@code DISCORD_TOKEN}: one set without it is a mistake. */
    private static final List<String> DISCORD_SETTINGS = List.of("DISCORD_MAIN_CHANNEL_ID", "DISCORD_GUILD_ID",
            "DISCORD_API_BASE_URL", "ALLOWED_USER_IDS", "ALLOWED_ROLE_IDS", "ALLOW_EVERYONE", "DISCORD_UPLOAD_LIMIT",
            "ADMIN_USER_IDS", "ADMIN_ROLE_IDS");
    /** The settings that mean something only with {@code MATTERMOST_URL}. */
    private static final List<String> MATTERMOST_SETTINGS = List.of("MATTERMOST_TOKEN", "MATTERMOST_ALLOWED_USERS",
            "MATTERMOST_ALLOWED_TEAMS", "MATTERMOST_MAIN_CHANNEL_ID", "MATTERMOST_CALLBACK_PORT",
            "MATTERMOST_CALLBACK_URL", "MATTERMOST_ADMIN_USERS");
    /** {@code MODEL_CHOICES}' default: the CLI's aliases of its three model families. */
    static final String DEFAULT_MODEL_CHOICES = "sonnet,opus,haiku";
    /** At most as many choices as Discord shows in an autocomplete answer. */
    static final int MAX_MODEL_CHOICES = 25;
    /**
     * A model name or alias as the CLI takes it ({@code opus}, {@code claude-opus-4-5-20251101}, {@code opus[1m]}):
     * the same rule as {@code /new}'s model option.
     */
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/\\[\\]-]{0,99}");
    /** A Mattermost id: 26 lowercase letters and digits. */
    private static final Pattern MATTERMOST_ID = Pattern.compile("[a-z0-9]{26}");

    /** The CLI's credentials, read from the environment only to hide them in the logs. */
    private static final List<String> CLI_SECRETS = List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN");

    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]{0,15}:");
    /** A URL's {@code user:password@}, or a {@code password=} parameter. */
    private static final Pattern PASSWORD = Pattern.compile("//[^/:@]*:([^/@]+)@|[?&;]password=([^&;]+)");

    public BridgeConfig {
        allowedUserIds = Set.copyOf(allowedUserIds);
        allowedRoleIds = Set.copyOf(allowedRoleIds);
        claudeEnvPassthrough = List.copyOf(claudeEnvPassthrough);
        modelChoices = List.copyOf(modelChoices);
        environment = Map.copyOf(environment);
        Objects.requireNonNull(mattermost);
        Objects.requireNonNull(kubernetes);
        Objects.requireNonNull(files);
    }

    /**
     * Parses and validates; throws {@link ConfigException} naming the first bad variable. Its message never holds a
     * credential, even one set in the wrong variable (a token swapped with a channel id would be echoed otherwise).
     */
    public static BridgeConfig fromEnv(Map<String, String> env) {
        try {
            return parse(env);
        } catch (ConfigException e) {
            throw new ConfigException(withoutCredentials(e.getMessage(), env));
        }
    }

    private static BridgeConfig parse(Map<String, String> env) {
        Settings s = new Settings(env);
        boolean discord = s.optional("DISCORD_TOKEN").isPresent();
        if (!discord) {
            List<String> stray = DISCORD_SETTINGS.stream().filter(name -> s.optional(name).isPresent()).toList();
            if (!stray.isEmpty()) {
                throw new ConfigException("DISCORD_TOKEN: expected the bot token, but it is not set (Discord is on "
                        + "only with it, and " + String.join(", ", stray) + " " + (stray.size() == 1 ? "is" : "are")
                        + " set)");
            }
        }
        String token = discord ? s.required("DISCORD_TOKEN", "the bot token") : "";
        String apiBase = s.string("DISCORD_API_BASE_URL", DISCORD_API);
        if (!apiBase.startsWith("http://") && !apiBase.startsWith("https://")) {
            throw new ConfigException("DISCORD_API_BASE_URL", "an http:// or https:// URL", Redaction.url(apiBase));
        }
        Optional<Long> guild = s.optionalSnowflake("DISCORD_GUILD_ID");
        long mainChannel = discord ? s.snowflake("DISCORD_MAIN_CHANNEL_ID") : 0;
        Set<Long> users = s.snowflakes("ALLOWED_USER_IDS");
        Set<Long> roles = s.snowflakes("ALLOWED_ROLE_IDS");
        boolean everyone = s.bool("ALLOW_EVERYONE", false);
        if (discord && users.isEmpty() && roles.isEmpty() && !everyone) {
            throw new ConfigException("ALLOWED_USER_IDS: expected at least one user id (or ALLOWED_ROLE_IDS, "
                    + "or ALLOW_EVERYONE=true): the bot denies everyone by default");
        }
        int opsPort = s.integer("OPS_PORT", 8081, 0, 65535);
        Optional<MattermostConfig> mattermost = mattermost(s, opsPort);
        if (!discord && mattermost.isEmpty()) {
            throw new ConfigException("DISCORD_TOKEN: expected the Discord bot token, or MATTERMOST_URL and "
                    + "MATTERMOST_TOKEN for Mattermost (or both), but neither platform is set");
        }
        Path dataDir = s.path("DATA_DIR", Path.of("data"));
        // Set: it must exist (a typo should not become a new, empty workspace). Not set: $DATA_DIR/workspace, which
        // Main creates at start-up, so a first run needs no directory made by hand.
        Optional<String> workspaceSetting = s.optional("WORKSPACE_ROOT");
        Path workspace = (workspaceSetting.isPresent() ? s.requiredPath("WORKSPACE_ROOT", "an existing directory")
                : dataDir.resolve(DEFAULT_WORKSPACE)).toAbsolutePath().normalize();
        if (workspaceSetting.isPresent() && !Files.isDirectory(workspace)) {
            throw new ConfigException("WORKSPACE_ROOT", "an existing directory", workspace.toString());
        }
        Path claudeConfig = s.path("CLAUDE_CONFIG_DIR", dataDir.resolve("claude"));
        String databaseUrl = s.string("DATABASE_URL", "r2dbc:h2:file:///" + dataDir.resolve("claude-bridge"));
        if (!databaseUrl.startsWith("r2dbc:h2:") && !databaseUrl.startsWith("r2dbc:postgresql:")) {
            // The message goes to stderr and on to whatever collects it: a URL whose password could be found is quoted
            // with it hidden (the host helps the operator); anything else shows its scheme only, as the rest may be a
            // password in a shape no pattern knows.
            String hidden = Redaction.url(databaseUrl);
            if (!hidden.equals(databaseUrl)) {
                throw new ConfigException("DATABASE_URL", "an r2dbc:h2:... or r2dbc:postgresql://... URL", hidden);
            }
            Matcher scheme = SCHEME.matcher(databaseUrl);
            throw new ConfigException("DATABASE_URL: expected an r2dbc:h2:... or r2dbc:postgresql://... URL, got "
                    + (scheme.lookingAt() ? "'" + scheme.group() + "…'" : "something else")
                    + " (the rest is not shown: it can hold a password)");
        }
        String logFormat = s.string("LOG_FORMAT", "text");
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            throw new ConfigException("LOG_FORMAT", "text or json", logFormat);
        }
        List<String> passthrough = s.names("CLAUDE_ENV_PASSTHROUGH");
        for (String name : passthrough) {
            if (OWN_SECRETS.contains(name)) {
                throw new ConfigException("CLAUDE_ENV_PASSTHROUGH", "names of variables the CLI may see, never one"
                        + " of the bot's own secrets " + OWN_SECRETS, name);
            }
        }
        Duration interruptWait = s.duration("INTERRUPT_WAIT", "5s");
        Duration stopGrace = s.duration("STOP_GRACE", "8s");
        Duration killAfter = s.duration("KILL_AFTER", "5s");
        Duration drain = s.duration("DRAIN_TIMEOUT", "25s");
        Duration stopSequence = interruptWait.plus(stopGrace).plus(killAfter).plusSeconds(2);
        if (stopSequence.compareTo(drain) > 0) {
            throw new ConfigException("DRAIN_TIMEOUT", "at least INTERRUPT_WAIT + STOP_GRACE + KILL_AFTER + 2s ("
                    + stopSequence.toMillis() + "ms)", env.get("DRAIN_TIMEOUT"));
        }
        return new BridgeConfig(token, stripTrailingSlash(apiBase), guild, mainChannel, users, roles, everyone,
                workspace, claudeBin(s, Path.of("")), claudeConfig, passthrough,
                dataDir, s.path("CLI_TMP_DIR", dataDir.resolve("claude-tmp")), databaseUrl,
                s.string("OPS_BIND_ADDRESS", "0.0.0.0"),
                opsPort,
                s.integer("QUEUE_LIMIT", 10, 0, 1000),
                s.duration("PERMISSION_TIMEOUT", "5m"),
                s.duration("TURN_TIMEOUT", "30m"),
                s.duration("IDLE_TIMEOUT", "30m"),
                interruptWait, stopGrace, killAfter, drain,
                s.duration("PRESENCE_MIN_INTERVAL", "5s"),
                s.duration("INTERACTION_DEADLINE_MARGIN", "2s"),
                s.bytes("MAX_LINE_BYTES", "8MiB"),
                s.integer("MAX_LIVE_CLIS", 16, 1, 10_000),
                s.integer("MAX_SESSIONS_PER_USER", 5, 1, 1000),
                editInterval(s),
                logFormat, env, discord, mattermost, KubernetesConfig.parse(s),
                new FileLimits(s.bytes("ATTACHMENT_MAX_BYTES", "10MiB"), s.integer("ATTACHMENT_MAX_COUNT", 10, 1, 100),
                        s.bytes("DISCORD_UPLOAD_LIMIT", "10MiB")),
                new AdminIds(s.snowflakes("ADMIN_USER_IDS"), s.snowflakes("ADMIN_ROLE_IDS"), mattermostAdmins(s)),
                modelChoices(s), s.bool("ALLOW_BYPASS_PERMISSIONS", false));
    }

    /** {@code MATTERMOST_ADMIN_USERS}: user ids only (a username could be taken over by someone else later). */
    private static Set<String> mattermostAdmins(Settings s) {
        List<String> ids = s.names("MATTERMOST_ADMIN_USERS");
        for (String id : ids) {
            if (!MATTERMOST_ID.matcher(id).matches()) {
                throw new ConfigException("MATTERMOST_ADMIN_USERS", "Mattermost user ids (26 lowercase letters and "
                        + "digits each)", id);
            }
        }
        return Set.copyOf(ids);
    }

    /** {@code MODEL_CHOICES}: the names {@code /model} offers, each one the CLI could take, none twice. */
    private static List<String> modelChoices(Settings s) {
        List<String> names = s.optional("MODEL_CHOICES").isPresent() ? s.names("MODEL_CHOICES")
                : List.of(DEFAULT_MODEL_CHOICES.split(","));
        String expected = "a comma-separated list of 1 to " + MAX_MODEL_CHOICES + " model names or aliases (e.g. "
                + DEFAULT_MODEL_CHOICES + ")";
        if (names.isEmpty() || names.size() > MAX_MODEL_CHOICES) {
            throw new ConfigException("MODEL_CHOICES", expected, s.optional("MODEL_CHOICES").orElse(""));
        }
        for (String name : names) {
            if (!MODEL_NAME.matcher(name).matches()) {
                throw new ConfigException("MODEL_CHOICES", expected + "; each of letters, digits and ._:@/[]-",
                        name);
            }
        }
        if (names.stream().distinct().count() < names.size()) {
            throw new ConfigException("MODEL_CHOICES", expected + ", none twice", String.join(",", names));
        }
        return names;
    }

    /**
     * Mattermost's settings when {@code MATTERMOST_URL} is set; deny by default, so at least one of the allowlists;
     * the callback port and URL both or neither (the port the bot serves buttons' callbacks on, and its address as
     * the Mattermost server reaches it).
     */
    private static Optional<MattermostConfig> mattermost(Settings s, int opsPort) {
        Optional<String> url = s.optional("MATTERMOST_URL");
        if (url.isEmpty()) {
            List<String> stray = MATTERMOST_SETTINGS.stream().filter(name -> s.optional(name).isPresent()).toList();
            if (!stray.isEmpty()) {
                throw new ConfigException("MATTERMOST_URL: expected the Mattermost server's address, but it is not "
                        + "set (Mattermost is on only with it, and " + String.join(", ", stray) + " "
                        + (stray.size() == 1 ? "is" : "are") + " set)");
            }
            return Optional.empty();
        }
        String server = httpUrl("MATTERMOST_URL", url.get(), "the server's http:// or https:// address, without "
                + "/api/v4");
        if (server.endsWith("/api/v4")) {
            throw new ConfigException("MATTERMOST_URL", "the server's http:// or https:// address, without /api/v4",
                    Redaction.url(url.get()));
        }
        String token = s.required("MATTERMOST_TOKEN", "the bot account's access token");
        Set<String> users = Set.copyOf(s.names("MATTERMOST_ALLOWED_USERS"));
        Set<String> teams = Set.copyOf(s.names("MATTERMOST_ALLOWED_TEAMS"));
        if (users.isEmpty() && teams.isEmpty()) {
            throw new ConfigException("MATTERMOST_ALLOWED_USERS: expected at least one user id or username (or "
                    + "MATTERMOST_ALLOWED_TEAMS): the bot denies everyone by default");
        }
        Optional<String> mainChannel = s.optional("MATTERMOST_MAIN_CHANNEL_ID");
        if (mainChannel.isPresent() && !MATTERMOST_ID.matcher(mainChannel.get()).matches()) {
            throw new ConfigException("MATTERMOST_MAIN_CHANNEL_ID", "a Mattermost channel id (26 lowercase letters "
                    + "and digits)", mainChannel.get());
        }
        Optional<Integer> port = s.optional("MATTERMOST_CALLBACK_PORT").isPresent()
                ? Optional.of(s.integer("MATTERMOST_CALLBACK_PORT", 0, 1, 65535)) : Optional.empty();
        Optional<String> callback = s.optional("MATTERMOST_CALLBACK_URL")
                .map(v -> httpUrl("MATTERMOST_CALLBACK_URL", v, "an http:// or https:// URL"));
        if (port.isPresent() && callback.isEmpty()) {
            throw new ConfigException("MATTERMOST_CALLBACK_URL", "the callback port's address as the Mattermost "
                    + "server reaches it (MATTERMOST_CALLBACK_PORT is set)", null);
        }
        if (callback.isPresent() && port.isEmpty()) {
            throw new ConfigException("MATTERMOST_CALLBACK_PORT", "the port the callbacks are served on "
                    + "(MATTERMOST_CALLBACK_URL is set)", null);
        }
        if (port.isPresent() && port.get() == opsPort) {
            throw new ConfigException("MATTERMOST_CALLBACK_PORT", "a port other than OPS_PORT (" + opsPort + ")",
                    String.valueOf(port.get()));
        }
        return Optional.of(new MattermostConfig(server, token, users, teams, mainChannel, port, callback));
    }

    /** An http(s) URL without its trailing slashes; quoted without a password when it is not one. */
    private static String httpUrl(String name, String value, String expected) {
        String host = value.replaceFirst("^https?://", "");
        if (host.equals(value) || host.isEmpty() || host.startsWith("/")) {
            throw new ConfigException(name, expected, Redaction.url(value));
        }
        return value.replaceAll("/+$", "");
    }

    /**
     * {@code message} with the value of each credential the bot or its CLI is given, and the database password,
     * replaced by the variable's name. Values shorter than 8 characters are left: they are no real credential, and
     * replacing them would garble the message.
     */
    private static String withoutCredentials(String message, Map<String, String> env) {
        List<String> names = List.of("DISCORD_TOKEN", "MATTERMOST_TOKEN", "ANTHROPIC_API_KEY",
                "CLAUDE_CODE_OAUTH_TOKEN");
        String out = message;
        for (String name : names) {
            String value = env.get(name);
            if (value != null && value.strip().length() >= 8) {
                out = out.replace(value.strip(), "<" + name + ">");
            }
        }
        Matcher password = PASSWORD.matcher(env.getOrDefault("DATABASE_URL", ""));
        while (password.find()) {
            String value = password.group(1) != null ? password.group(1) : password.group(2);
            if (value.length() >= 8) {
                out = out.replace(value, "<the DATABASE_URL password>");
            }
        }
        return out;
    }

    /** {@code adaptive} (the default): edits follow Discord's rate-limit headers; a duration: a fixed interval. */
    private static Optional<Duration> editInterval(Settings s) {
        String value = s.string("EDIT_INTERVAL", "adaptive");
        return value.equals("adaptive") ? Optional.empty() : Optional.of(s.duration("EDIT_INTERVAL", value));
    }

    /**
     * {@code CLAUDE_BIN}, else the CLI the build installed into {@code tools/} when the bot runs from the checkout,
     * else {@code claude} on {@code PATH}. A path is made absolute: the CLI is started in the session's working
     * directory, where a relative path would point elsewhere.
     */
    static String claudeBin(Settings s, Path workingDir) {
        Optional<String> set = s.optional("CLAUDE_BIN");
        if (set.isPresent()) {
            String bin = set.get();
            return bin.contains("/") ? workingDir.resolve(bin).toAbsolutePath().normalize().toString() : bin;
        }
        Path installed = workingDir.resolve(INSTALLED_CLI).toAbsolutePath().normalize();
        return Files.isExecutable(installed) ? installed.toString() : "claude";
    }

    /**
     * The values of every secret setting (the bot's own and the CLI's, the database password rather than the whole
     * URL), for the logging layer to hide wherever they would appear.
     */
    public List<String> secretValues() {
        List<String> values = new ArrayList<>();
        if (discordEnabled) {
            values.add(discordToken);
        }
        mattermost.ifPresent(m -> values.add(m.token()));
        Redaction.urlPassword(databaseUrl).ifPresent(values::add);
        CLI_SECRETS.stream().map(environment::get).filter(Objects::nonNull).forEach(values::add);
        return List.copyOf(values);
    }

    /** Whether the configured gateway is Discord itself (not the standalone fake). */
    public boolean usesRealDiscord() {
        return discordApiBaseUrl.equals(DISCORD_API);
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String toString() {
        // Never print the token, the database URL (it can carry a password) or the process environment (it holds the
        // CLI's credentials): only the database's kind, and settings that are no secret; a credential set in the wrong
        // variable (a path, say) is replaced by its name.
        String discord = !discordEnabled ? "off" : "[api=" + discordApiBaseUrl + ", guild=" + discordGuildId
                + ", mainChannel=" + discordMainChannelId + ", users=" + allowedUserIds.size() + ", roles="
                + allowedRoleIds.size() + ", allowEveryone=" + allowEveryone + "]";
        return withoutCredentials("BridgeConfig[discord=" + discord + ", mattermost="
                + mattermost.map(m -> Redaction.url(m.toString())).orElse("off") // a URL may carry a password
                + ", workspace=" + workspaceRoot + ", dataDir=" + dataDir
                + ", database=" + databaseUrl.substring(0, databaseUrl.indexOf(':', "r2dbc:".length()))
                + ", opsBind=" + opsBindAddress + ", opsPort=" + opsPort + ", drainTimeout=" + drainTimeout.toMillis()
                + "ms, maxLiveClis=" + maxLiveClis + ", logFormat=" + logFormat + "]", environment);
    }
}
