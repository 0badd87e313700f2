package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * A first run as a new user makes it, following README.md on a clean copy of the repository: the tracked files only
 * (no {@code target/}, no {@code tools/node_modules}, no data directory), the README's build command, its settings
 * command ({@code cp .env.example .env}) and its run command, each read from the README's text and run verbatim with
 * bash in a plain shell environment (no setting of the bot in it). The only edit is what a user types into {@code
 * .env}: the token and ids of the fake Discord, the fake API's address and a key. The bot must come up (READY at the
 * fake Discord, {@code /readyz} 200) with the CLI the build installed, and answer a first prompt.
 *
 * <p>Slow (a second full package of the project, and {@code npm ci} of the CLI): it prints how long each part took.
 */
@Timeout(900)
final class FirstRunIT {

    private static final Duration BUILD_LIMIT = Duration.ofMinutes(10);
    private static final Duration START_LIMIT = Duration.ofMinutes(2);
    private static final Pattern BLOCK = Pattern.compile(
            "<!-- first-run: (\\w+) -->\\s*\\n```bash\\n(.*?)\\n```", Pattern.DOTALL);

    @TempDir
    Path tmp;

    @Test
    void theReadmeRunsAsWrittenOnACleanCopy() throws Exception {
        Path copy = tmp.resolve("claude-bridge");
        long t0 = System.nanoTime();
        copyTrackedFiles(repositoryRoot(), copy);
        assertThat(copy.resolve("tools/node_modules")).doesNotExist();
        assertThat(copy.resolve("data")).doesNotExist();
        assertThat(copy.resolve("target")).doesNotExist();

        Map<String, String> blocks = readmeBlocks(Files.readString(copy.resolve("README.md")));
        assertThat(blocks).containsOnlyKeys("build", "settings", "run");
        assertThat(blocks.values()).as("each command is one line").allSatisfy(c -> assertThat(c).doesNotContain("\n"));
        Map<String, String> shell = newUsersShell();

        long t1 = System.nanoTime();
        Path buildLog = tmp.resolve("build.log");
        int build = bash(copy, blocks.get("build"), shell, buildLog, BUILD_LIMIT);
        assertThat(build).as("the build command (%s); its log:\n%s", blocks.get("build"), tail(buildLog)).isZero();
        long t2 = System.nanoTime();
        Path cli = copy.resolve("tools/node_modules/.bin/claude");
        assertThat(cli).as("the CLI the build installs").isExecutable();
        assertThat(copy.resolve("target/claude-bridge.jar")).isRegularFile();

        int settings = bash(copy, blocks.get("settings"), shell, tmp.resolve("settings.log"), Duration.ofSeconds(30));
        assertThat(settings).isZero();
        assertThat(copy.resolve(".env")).isRegularFile();

        try (FakeDiscord discord = FakeDiscord.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            api.on(Match.userTextContains("first run"), Reply.text("Hello from the first run."));
            int opsPort = freePort();
            Map<String, String> typedIn = new LinkedHashMap<>();
            typedIn.put("DISCORD_TOKEN", discord.token());
            typedIn.put("DISCORD_MAIN_CHANNEL_ID", discord.ids().mainChannelId());
            typedIn.put("ALLOWED_USER_IDS", FakeUser.OWNER.id());
            typedIn.put("ANTHROPIC_API_KEY", "sk-ant-dummy");
            typedIn.put("DISCORD_API_BASE_URL", discord.apiBaseUrl());
            typedIn.put("DISCORD_GUILD_ID", discord.ids().guildId());
            typedIn.put("ANTHROPIC_BASE_URL", api.baseUrl());
            typedIn.put("OPS_PORT", String.valueOf(opsPort)); // 8081 may be taken on a shared machine
            fillIn(copy.resolve(".env"), typedIn, Map.of(
                    // Not a setting of the bot: what every test gives the CLI (no calls to anything but the fake).
                    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1",
                    "CLAUDE_ENV_PASSTHROUGH", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"));

            Path botLog = tmp.resolve("bot.log");
            long t3 = System.nanoTime();
            Process bot = start(copy, blocks.get("run"), shell, botLog);
            try {
                OpsHttp ops = new OpsHttp(opsPort);
                awaitReady(bot, ops, botLog);
                long t4 = System.nanoTime();
                assertThat(discord.gatewayConnections()).as("logged in at the fake Discord").isGreaterThanOrEqualTo(1);
                String log = new String(Files.readAllBytes(botLog), StandardCharsets.UTF_8);
                assertThat(log).as("the CLI the build installed, found without CLAUDE_BIN")
                        .contains("claude CLI 2.1.332 (" + cli.toAbsolutePath().normalize() + ")");
                assertThat(log).contains("settings read from " + copy.resolve(".env"));
                assertThat(copy.resolve("data/workspace")).as("WORKSPACE_ROOT's default, made at start-up")
                        .isDirectory();

                discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "hello, first run");
                // The answer streams into one message, posted first and then edited: either change may carry it.
                Change answered = discord.changes()
                        .filter(c -> c instanceof Change.MessageCreated mc ? answers(mc.message())
                                : c instanceof Change.MessageEdited e && answers(e.message()))
                        .take(1)
                        .timeout(Duration.ofSeconds(90), Flux.empty())
                        .blockFirst();
                assertThat(answered).as("the answer to a first prompt; the bot's log:\n%s", tail(botLog)).isNotNull();
                long t5 = System.nanoTime();
                System.out.printf("first run: copy %d ms, build %d ms, bot ready %d ms, first answer %d ms%n",
                        ms(t1 - t0), ms(t2 - t1), ms(t4 - t3), ms(t5 - t4));
            } finally {
                stop(bot);
            }
        }
    }

    private static boolean answers(PostedMessage message) {
        return message.byBot() && message.content().contains("Hello from the first run.");
    }

    /** The fenced bash block after each {@code <!-- first-run: name -->} marker of the README. */
    static Map<String, String> readmeBlocks(String readme) {
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            blocks.put(m.group(1), m.group(2).strip());
        }
        return blocks;
    }

    /** Puts the values a user would type into their lines of {@code .env} (commented out or not); adds the others. */
    private static void fillIn(Path env, Map<String, String> typedIn, Map<String, String> added) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(env));
        for (Map.Entry<String, String> setting : typedIn.entrySet()) {
            Pattern line = Pattern.compile("^(# )?" + setting.getKey() + "=.*$");
            int at = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (line.matcher(lines.get(i)).matches()) {
                    at = i;
                }
            }
            assertThat(at).as(".env.example has a line for %s", setting.getKey()).isNotNegative();
            lines.set(at, setting.getKey() + "=" + setting.getValue());
        }
        added.forEach((name, value) -> lines.add(name + "=" + value));
        Files.write(env, lines);
    }

    /**
     * A new user's shell: their PATH (with a JDK 21+ first, as the README's prerequisites ask), HOME (Maven's and
     * npm's caches), locale and proxies; no variable of the bot, so {@code .env} is what configures it.
     */
    private static Map<String, String> newUsersShell() {
        Map<String, String> env = new HashMap<>();
        Path javaHome = Path.of(System.getProperty("java.home"));
        env.put("JAVA_HOME", javaHome.toString());
        env.put("PATH", javaHome.resolve("bin") + ":" + System.getenv("PATH"));
        env.put("LANG", System.getenv().getOrDefault("LANG", "C.UTF-8"));
        System.getenv().forEach((name, value) -> {
            if (List.of("HOME", "USER", "LOGNAME", "TMPDIR").contains(name)
                    || name.toLowerCase().endsWith("_proxy") || name.toLowerCase().startsWith("npm_config_")) {
                env.put(name, value);
            }
        });
        return env;
    }

    private static int bash(Path dir, String command, Map<String, String> env, Path log, Duration limit)
            throws IOException, InterruptedException {
        Process process = start(dir, command, env, log);
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            stop(process);
            throw new AssertionError("'" + command + "' did not finish within " + limit + "; its log:\n" + tail(log));
        }
        return process.exitValue();
    }

    private static Process start(Path dir, String command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }

    private static void awaitReady(Process bot, OpsHttp ops, Path log) throws IOException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!bot.isAlive()) {
                throw new AssertionError("the bot exited with " + bot.exitValue() + "; its log:\n" + tail(log));
            }
            if (ops.get("/readyz").status() == 200) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError("the bot was not ready within " + START_LIMIT + "; its log:\n" + tail(log));
    }

    /** SIGTERM to bash and everything under it (the bot drains and exits), SIGKILL for what is left. */
    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        for (ProcessHandle p : tree) {
            while (p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** The repository's tracked files, as a clone has them (executable bits included). */
    private static void copyTrackedFiles(Path repo, Path to) throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "-C", repo.toString(), "ls-files", "-z").redirectErrorStream(true)
                .start();
        byte[] out = git.getInputStream().readAllBytes();
        assertThat(git.waitFor(60, TimeUnit.SECONDS) && git.exitValue() == 0)
                .as("git ls-files in %s: %s", repo, new String(out, StandardCharsets.UTF_8)).isTrue();
        int copied = 0;
        for (String file : new String(out, StandardCharsets.UTF_8).split("\0")) {
            Path source = repo.resolve(file);
            if (file.isEmpty() || !Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                continue; // deleted in the working tree
            }
            Path target = to.resolve(file);
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            copied++;
        }
        assertThat(copied).isGreaterThan(100);
        assertThat(to.resolve("mvnw")).isExecutable();
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isRegularFile(dir.resolve("README.md"))) {
                return dir;
            }
        }
        throw new AssertionError("no repository root above " + Path.of("").toAbsolutePath());
    }

    private static String tail(Path log) {
        try {
            List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
