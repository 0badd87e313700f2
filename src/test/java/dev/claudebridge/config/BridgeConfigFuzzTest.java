package dev.claudebridge.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Fuzz;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Properties of settings parsing ({@link BridgeConfig#fromEnv}, {@link Settings}) on hostile environments
 * (docs/reliability.md): whatever the map holds, parsing returns a configuration or throws {@link ConfigException},
 * nothing else; the message is one line that starts with the name of a setting (the one that was bad, or the rule
 * that ties it to others) and never holds a secret (the Discord or Mattermost token, the Anthropic key or OAuth
 * token, a database password). A number, duration or size that is accepted means exactly what its text says (the oracle computes it
 * with unbounded integers), and one that is valid is accepted.
 */
final class BridgeConfigFuzzTest {

    private static final String TOKEN = "MTExMTExMTExMTExMTExMTEx.Gq7xYz.secret-token-9f8e7d";
    private static final String API_KEY = "sk-ant-api03-Zq9KEYVALUExx7";
    private static final String OAUTH = "sk-ant-oat01-Wv3OAUTHVALUEyy8";
    private static final String DB_PASSWORD = "pg-Pa55w0rd-Secret";
    private static final String MM_TOKEN = "mmtok4xq8kz3mcbf5jrsn7tw1yh";
    private static final Set<String> CREDENTIALS = Set.of(TOKEN, API_KEY, OAUTH, MM_TOKEN);

    private static final List<String> DURATIONS = List.of("PERMISSION_TIMEOUT", "TURN_TIMEOUT", "IDLE_TIMEOUT",
            "INTERRUPT_WAIT", "STOP_GRACE", "KILL_AFTER", "DRAIN_TIMEOUT", "PRESENCE_MIN_INTERVAL",
            "INTERACTION_DEADLINE_MARGIN", "EDIT_INTERVAL");
    private static final Map<String, int[]> INTEGERS = Map.of("OPS_PORT", new int[] {0, 65535},
            "QUEUE_LIMIT", new int[] {0, 1000}, "MAX_LIVE_CLIS", new int[] {1, 10_000},
            "MAX_SESSIONS_PER_USER", new int[] {1, 1000});
    /** Every setting the README's table lists, and the CLI's credentials, which pass through the environment. */
    private static final List<String> SETTINGS = Stream.of(List.of("DISCORD_TOKEN", "DISCORD_API_BASE_URL",
            "DISCORD_GUILD_ID", "DISCORD_MAIN_CHANNEL_ID", "ALLOWED_USER_IDS", "ALLOWED_ROLE_IDS", "ALLOW_EVERYONE",
            "WORKSPACE_ROOT", "CLAUDE_BIN", "CLAUDE_CONFIG_DIR", "CLAUDE_ENV_PASSTHROUGH", "DATA_DIR", "DATABASE_URL",
            "MAX_LINE_BYTES", "LOG_FORMAT", "ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "MATTERMOST_URL",
            "MATTERMOST_TOKEN", "MATTERMOST_ALLOWED_USERS", "MATTERMOST_ALLOWED_TEAMS", "MATTERMOST_MAIN_CHANNEL_ID",
            "MATTERMOST_CALLBACK_PORT", "MATTERMOST_CALLBACK_URL"), DURATIONS,
            List.copyOf(INTEGERS.keySet())).flatMap(List::stream).sorted().toList();
    /** Names a message may start with: the settings parsed (the credentials are only passed on). */
    private static final Set<String> NAMED = Set.copyOf(SETTINGS.stream()
            .filter(s -> !s.equals("ANTHROPIC_API_KEY") && !s.equals("CLAUDE_CODE_OAUTH_TOKEN")).toList());

    private static final Duration LONGEST = Settings.LONGEST;
    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("([0-9]+)(B|KiB|MiB|GiB)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+", Pattern.UNICODE_CHARACTER_CLASS);

    private static Path workspace;

    @BeforeAll
    static void workspace() throws IOException {
        workspace = Files.createTempDirectory("fuzz-workspace");
    }

    @AfterAll
    static void removeWorkspace() throws IOException {
        Files.deleteIfExists(workspace);
    }

    /** A valid environment, both platforms on, with every secret present. */
    private static Map<String, String> base() {
        Map<String, String> env = new HashMap<>();
        env.put("MATTERMOST_URL", "https://chat.example.com");
        env.put("MATTERMOST_TOKEN", MM_TOKEN);
        env.put("MATTERMOST_ALLOWED_USERS", "alice");
        env.put("DISCORD_TOKEN", TOKEN);
        env.put("DISCORD_MAIN_CHANNEL_ID", "222222222222222222");
        env.put("ALLOWED_USER_IDS", "1,2");
        env.put("WORKSPACE_ROOT", workspace.toString());
        env.put("ANTHROPIC_API_KEY", API_KEY);
        env.put("CLAUDE_CODE_OAUTH_TOKEN", OAUTH);
        env.put("DATABASE_URL", "r2dbc:postgresql://bridge:" + DB_PASSWORD + "@db.internal:5432/bridge");
        return env;
    }

    record Case(String setting, String value) {
        @Override
        public String toString() {
            return setting + "=" + Fuzz.literal(value);
        }
    }

    @Test
    void oneBadSettingIsNamedAndAGoodOneMeansWhatItSays() {
        Fuzz.property("settings: one setting hostile", random -> {
            String setting = SETTINGS.get(random.nextInt(SETTINGS.size()));
            return new Case(setting, value(random, setting));
        }).tries(10_000).shrinking(c -> Fuzz.shrinkString(c.value()).map(v -> new Case(c.setting(), v)))
                .check(c -> {
                    Map<String, String> env = base();
                    env.put(c.setting(), c.value());
                    Optional<BridgeConfig> config = parse(env);
                    Optional<String> rejected = config.isPresent() ? Optional.empty() : Optional.of(message(env));
                    rejected.ifPresent(m -> assertThat(namesTheSetting(m, c.setting()))
                            .as("message %s names %s", m, c.setting()).isTrue());
                    expectedValue(c).ifPresent(expected -> {
                        if (expected.isPresent()) {
                            assertThat(config).as("accepted, as %s", expected.get()).isPresent();
                            assertThat(actualValue(config.get(), c.setting())).isEqualTo(expected.get());
                        } else {
                            assertThat(rejected).as("rejected").isPresent();
                        }
                    });
                });
    }

    @Test
    void anyEnvironmentGivesAConfigOrANamedConfigExceptionWithoutSecrets() {
        Fuzz.property("settings: random environments", random -> {
            Map<String, String> env = random.nextInt(4) == 0 ? new HashMap<>() : base();
            for (int i = random.nextInt(12); i >= 0; i--) {
                String setting = SETTINGS.get(random.nextInt(SETTINGS.size()));
                if (random.nextInt(5) == 0) {
                    env.remove(setting);
                } else {
                    env.put(setting, value(random, setting));
                }
            }
            if (random.nextInt(3) == 0) {
                env.put(junk(random), junk(random)); // a variable the bot does not read
            }
            return new TreeMap<>(env);
        }).tries(10_000).showing(env -> env.entrySet().stream().map(e -> e.getKey() + "=" + Fuzz.literal(e.getValue()))
                .toList().toString()).check(env -> {
                    Optional<BridgeConfig> config = parse(env);
                    if (config.isPresent()) {
                        for (String secret : secrets(env)) {
                            assertThat(config.get().toString()).doesNotContain(secret);
                        }
                    } else {
                        String message = message(env);
                        assertThat(NAMED).as("setting named by %s", message)
                                .contains(message.substring(0, Math.max(0, message.indexOf(':'))));
                    }
                });
    }

    /**
     * Found by the properties above: a number past a long ({@code 99999999999999999999s}) threw
     * NumberFormatException, an hour count past {@link Duration}'s range ArithmeticException, a size whose bytes
     * overflow a long wrapped around ({@code 17179869185GiB} was taken as 1 GiB), a path with a NUL threw
     * InvalidPathException, a value with a line break made a message of two lines, a DATABASE_URL without the r2dbc
     * prefix was echoed with its password, and a credential set in the wrong variable was echoed (a token swapped
     * with the channel id) or logged (an API key as DATA_DIR).
     */
    @Test
    void foundCases() {
        Map<String, String> swapped = base();
        swapped.put("DISCORD_MAIN_CHANNEL_ID", TOKEN);
        swapped.put("DISCORD_TOKEN", TOKEN);
        assertThat(parse(swapped)).isEmpty();
        assertThat(message(swapped)).isEqualTo("DISCORD_MAIN_CHANNEL_ID: expected a Discord id (a positive number), "
                + "got '<DISCORD_TOKEN>'");
        Map<String, String> keyAsPath = base();
        keyAsPath.put("DATA_DIR", API_KEY);
        assertThat(parse(keyAsPath)).hasValueSatisfying(c -> assertThat(c.toString()).doesNotContain(API_KEY)
                .contains("<ANTHROPIC_API_KEY>"));

        for (Case c : List.of(new Case("TURN_TIMEOUT", "99999999999999999999s"),
                new Case("IDLE_TIMEOUT", "9223372036854775807h"), new Case("MAX_LINE_BYTES", "17179869185GiB"),
                new Case("MAX_LINE_BYTES", "99999999999999999999"), new Case("DATA_DIR", "data\u0000dir"),
                new Case("DATABASE_URL", "postgresql://bridge:" + DB_PASSWORD + "@db:5432/bridge"),
                new Case("TURN_TIMEOUT", "5\nm"))) {
            Map<String, String> env = base();
            env.put(c.setting(), c.value());
            assertThat(parse(env)).as("%s", c).isEmpty(); // one line, no secret
            assertThat(namesTheSetting(message(env), c.setting())).as("%s: %s", c, message(env)).isTrue();
        }
    }

    private static Optional<BridgeConfig> parse(Map<String, String> env) {
        try {
            return Optional.of(BridgeConfig.fromEnv(env));
        } catch (ConfigException e) {
            assertThat(e.getMessage()).as("one line").doesNotContain("\n", "\r", "\u2028");
            for (String secret : secrets(env)) {
                assertThat(e.getMessage()).doesNotContain(secret);
            }
            return Optional.empty();
        }
    }

    /**
     * The credentials set in {@code env} (what the bot can know to be secret, wherever else they appear): the
     * values of the token variables, and the database password when DATABASE_URL holds it. Only credential-like
     * values count: a token variable set to "9999..." or "/" is the generator's junk, found in other settings too.
     */
    private static List<String> secrets(Map<String, String> env) {
        List<String> secrets = new ArrayList<>(Stream.of("DISCORD_TOKEN", "MATTERMOST_TOKEN", "ANTHROPIC_API_KEY",
                "CLAUDE_CODE_OAUTH_TOKEN").map(env::get).filter(v -> v != null && CREDENTIALS.contains(v.strip()))
                .map(String::strip).toList());
        if (env.getOrDefault("DATABASE_URL", "").contains(DB_PASSWORD)) {
            secrets.add(DB_PASSWORD);
        }
        return secrets;
    }

    private static String message(Map<String, String> env) {
        try {
            BridgeConfig.fromEnv(env);
            throw new AssertionError("accepted");
        } catch (ConfigException e) {
            return e.getMessage();
        }
    }

    /**
     * The message starts with the setting, or with the rule that ties the stop sequence to DRAIN_TIMEOUT, or with the
     * other half of Mattermost's callback port and URL (both or neither).
     */
    private static boolean namesTheSetting(String message, String setting) {
        if (message.startsWith(setting + ":")) {
            return true;
        }
        if (setting.startsWith("MATTERMOST_CALLBACK_")) {
            return message.startsWith("MATTERMOST_CALLBACK_") && message.contains(setting + " is set");
        }
        return Set.of("INTERRUPT_WAIT", "STOP_GRACE", "KILL_AFTER").contains(setting)
                && message.startsWith("DRAIN_TIMEOUT:") && message.contains(setting);
    }

    // ---- the oracle for numbers, durations and sizes: empty when it has no opinion ----

    private static Optional<Optional<Object>> expectedValue(Case c) {
        String v = c.value().trim();
        if (c.value().isBlank() || c.value().indexOf('\u0000') >= 0) {
            return Optional.empty();
        }
        if (INTEGERS.containsKey(c.setting())) {
            int[] range = INTEGERS.get(c.setting());
            Optional<Object> n = INTEGER.matcher(v).matches() && inRange(new BigInteger(v), range[0], range[1])
                    ? Optional.of(new BigInteger(v).intValue()) : Optional.empty();
            return Optional.of(n);
        }
        if (c.setting().equals("MAX_LINE_BYTES")) {
            Matcher m = SIZE.matcher(v);
            if (!m.matches()) {
                return Optional.of(Optional.empty());
            }
            int shift = switch (m.group(2) == null ? "B" : m.group(2)) {
                case "KiB" -> 10;
                case "MiB" -> 20;
                case "GiB" -> 30;
                default -> 0;
            };
            BigInteger bytes = new BigInteger(m.group(1)).shiftLeft(shift);
            return Optional.of(inRange(bytes, 1024, Integer.MAX_VALUE - 16)
                    ? Optional.of(bytes.intValue()) : Optional.empty());
        }
        if (DURATIONS.contains(c.setting())) {
            if (c.setting().equals("EDIT_INTERVAL") && v.equals("adaptive")) {
                return Optional.of(Optional.of(Optional.empty()));
            }
            Optional<Duration> d = duration(v);
            Duration sequence = Stream.of("INTERRUPT_WAIT", "STOP_GRACE", "KILL_AFTER")
                    .map(s -> s.equals(c.setting()) ? d.orElse(Duration.ZERO) : BASE_DURATIONS.get(s))
                    .reduce(Duration.ofSeconds(2), Duration::plus);
            Duration drain = c.setting().equals("DRAIN_TIMEOUT") ? d.orElse(Duration.ZERO) : Duration.ofSeconds(25);
            boolean fits = sequence.compareTo(drain) <= 0;
            Optional<Object> value = d.isPresent() && fits ? Optional.of(c.setting().equals("EDIT_INTERVAL")
                    ? Optional.of(d.get()) : d.get()) : Optional.empty();
            return Optional.of(value);
        }
        return Optional.empty();
    }

    private static final Map<String, Duration> BASE_DURATIONS = Map.of("INTERRUPT_WAIT", Duration.ofSeconds(5),
            "STOP_GRACE", Duration.ofSeconds(8), "KILL_AFTER", Duration.ofSeconds(5));

    /** What a duration's text says, when it is one from 1 ms to {@link #LONGEST}. */
    private static Optional<Duration> duration(String v) {
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            return Optional.empty();
        }
        BigInteger millis = new BigInteger(m.group(1)).multiply(BigInteger.valueOf(switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            default -> 3_600_000;
        }));
        return inRange(millis, 1, LONGEST.toMillis()) ? Optional.of(Duration.ofMillis(millis.longValueExact()))
                : Optional.empty();
    }

    private static boolean inRange(BigInteger n, long min, long max) {
        return n.compareTo(BigInteger.valueOf(min)) >= 0 && n.compareTo(BigInteger.valueOf(max)) <= 0;
    }

    private static Object actualValue(BridgeConfig config, String setting) {
        Map<String, Function<BridgeConfig, Object>> read = Map.ofEntries(
                Map.entry("OPS_PORT", BridgeConfig::opsPort), Map.entry("QUEUE_LIMIT", BridgeConfig::queueLimit),
                Map.entry("MAX_LIVE_CLIS", BridgeConfig::maxLiveClis),
                Map.entry("MAX_SESSIONS_PER_USER", BridgeConfig::maxSessionsPerUser),
                Map.entry("MAX_LINE_BYTES", BridgeConfig::maxLineBytes),
                Map.entry("PERMISSION_TIMEOUT", BridgeConfig::permissionTimeout),
                Map.entry("TURN_TIMEOUT", BridgeConfig::turnTimeout),
                Map.entry("IDLE_TIMEOUT", BridgeConfig::idleTimeout),
                Map.entry("INTERRUPT_WAIT", BridgeConfig::interruptWait),
                Map.entry("STOP_GRACE", BridgeConfig::stopGrace),
                Map.entry("KILL_AFTER", BridgeConfig::killAfter),
                Map.entry("DRAIN_TIMEOUT", BridgeConfig::drainTimeout),
                Map.entry("PRESENCE_MIN_INTERVAL", BridgeConfig::presenceMinInterval),
                Map.entry("INTERACTION_DEADLINE_MARGIN", BridgeConfig::interactionDeadlineMargin),
                Map.entry("EDIT_INTERVAL", BridgeConfig::editInterval));
        return read.get(setting).apply(config);
    }

    // ---- hostile values ----

    private static final String[] ANY = {"", " ", "\t", "0", "-0", "-1", "+5", "1", "9".repeat(20), "9".repeat(40),
        "٣", "1e3", "0x10", "1.5", "18446744073709551615", "18446744073709551616", "9223372036854775807",
        "2147483647", "2147483648", "-2147483649", ",", " , 1 ,", "1,,2", "1, -2", "true", "TRUE", "yes", "No", "ja",
        "adaptive", "text", "json", "JSON", "http://127.0.0.1:1/", "ftp://x", "https://", "/", "/nonexistent",
        "relative/dir", "..", "data\u0000dir", "a\nb", "\r\n", "'", "\"", "\\", "$HOME", "${DISCORD_TOKEN}", "é",
        "🎉", "\u2028", TOKEN, API_KEY, MM_TOKEN};
    private static final String[] DURATION_TEXTS = {"500ms", "30s", "5m", "1h", "0s", "0ms", "1ms", "87600h",
        "87601h", "5256000m", "5256001m", "9223372036854775807ms", "9223372036854775807h", "2562047788015216h",
        "99999999999999999999s", "5 m", "5M", "5min", " 5m ", "5m5s", "-5s", "1d", "PT5M", "5\nm"};
    private static final String[] SIZE_TEXTS = {"8MiB", "512KiB", "1024", "1023", "1KiB", "2047MiB", "2048MiB",
        "1GiB", "2GiB", "2147483631", "2147483632", "17179869185GiB", "17179869184GiB", "9007199254740993KiB",
        "99999999999999999999", "8MB", "8 MiB", "8mib", "-1KiB"};
    private static final String[] DATABASE_TEXTS = {"r2dbc:h2:mem:///x", "r2dbc:postgresql://u:" + DB_PASSWORD
        + "@h/db", "postgresql://u:" + DB_PASSWORD + "@h/db", "jdbc:postgresql://h/db?password=" + DB_PASSWORD,
        "r2dbc:postgres://u:" + DB_PASSWORD + "@h/db", DB_PASSWORD, "u:" + DB_PASSWORD + "@h",
        "mysql://" + DB_PASSWORD};

    private static String value(Random random, String setting) {
        if (random.nextInt(3) == 0) {
            return random.nextBoolean() ? ANY[random.nextInt(ANY.length)] : junk(random);
        }
        if (DURATIONS.contains(setting)) {
            return random.nextBoolean() ? DURATION_TEXTS[random.nextInt(DURATION_TEXTS.length)]
                    : random.nextLong(0, 100_000_000_000L) + new String[] {"ms", "s", "m", "h"}[random.nextInt(4)];
        }
        return switch (setting) {
            case "MAX_LINE_BYTES" -> random.nextBoolean() ? SIZE_TEXTS[random.nextInt(SIZE_TEXTS.length)]
                    : random.nextLong(0, 1L << 40) + new String[] {"", "B", "KiB", "MiB", "GiB"}[random.nextInt(5)];
            case "DATABASE_URL" -> DATABASE_TEXTS[random.nextInt(DATABASE_TEXTS.length)];
            case "OPS_PORT", "QUEUE_LIMIT", "MAX_LIVE_CLIS", "MAX_SESSIONS_PER_USER" ->
                    Long.toString(random.nextLong(-100_000, 100_000));
            default -> ANY[random.nextInt(ANY.length)];
        };
    }

    private static String junk(Random random) {
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(12); i >= 0; i--) {
            out.appendCodePoint(switch (random.nextInt(5)) {
                case 0 -> random.nextInt(0x20);
                case 1 -> 0x80 + random.nextInt(0x780);
                case 2 -> 0x1f300 + random.nextInt(0x100);
                default -> 0x20 + random.nextInt(0x5f);
            });
        }
        return out.toString();
    }
}
