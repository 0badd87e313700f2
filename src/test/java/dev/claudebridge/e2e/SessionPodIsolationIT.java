package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudebridge.persistence.PostgresServer;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.FakeKubernetes;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.SessionImage;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an approved shell command of the agent can take from the bot. The packaged bot runs as its own OS process
 * with its Discord token and a password-bearing {@code DATABASE_URL} (a real PostgreSQL) in its environment; the
 * agent's Bash tool reads every {@code /proc/*}{@code /environ} and searches the bot's data directory, the CLI
 * config directories, the workspace and the claims for both. In the embedded runtime it finds both (the control: the
 * probe works); in the kubernetes runtime (the session in a pod of {@link FakeKubernetes}: its own user, PID and
 * mount namespaces) it finds neither.
 */
@Timeout(240)
final class SessionPodIsolationIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String NAMESPACE = "claude-bridge-sessions";
    private static final Pattern PROBE = Pattern.compile("PROBE:\\[([^\\]]*)\\]");

    @TempDir
    Path root;

    @Test
    void inTheEmbeddedRuntimeTheAgentFindsTheBotsSecrets() throws Exception {
        assertThat(probe(false)).contains("token-in-environ", "password-in-environ");
    }

    @Test
    void inASessionPodTheAgentFindsNeither() throws Exception {
        assertThat(probe(true)).isEqualTo("nothing");
    }

    /** Runs the probe as the agent's approved Bash command; what it found, as it printed it. */
    private String probe(boolean pods) throws Exception {
        Path mounts = Files.createTempDirectory(Path.of("/tmp"), "pod-mounts-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try (PostgresServer postgres = PostgresServer.start();
                FakeKubernetes kube = FakeKubernetes.start(root.resolve("claims"));
                FakeAnthropicApi api = FakeAnthropicApi.start()) {
            FakeDiscord discord = FakeDiscord.start();
            try {
                String databaseUrl = postgres.createDatabase();
                String password = databaseUrl.replaceFirst("^r2dbc:postgresql://[^:]+:([^@]+)@.*$", "$1");
                assertThat(password).isNotEqualTo(databaseUrl).hasSizeGreaterThan(8);
                Map<String, String> extra = new HashMap<>(Map.of("DATABASE_URL", databaseUrl));
                if (pods) {
                    kube.putSecret(NAMESPACE, "claude-model-credentials", Map.of("ANTHROPIC_API_KEY", "sk-ant-pod"));
                    Path template = root.resolve("session-pod.yaml");
                    Files.writeString(template, """
                            apiVersion: v1
                            kind: Pod
                            spec:
                              securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001}
                              containers: [{name: claude, image: claude-bridge:test}]
                            """);
                    extra.putAll(Map.of("AGENT_RUNTIME", "kubernetes", "SESSION_POD_TEMPLATE", template.toString(),
                            "SESSION_MOUNT_PATH", mounts.resolve("session").toString(), "SESSION_CLAUDE_BIN",
                            SessionImage.cli(),
                            "KUBERNETES_MASTER", kube.masterUrl(), "KUBERNETES_AUTH_TOKEN", "bot-token"));
                }
                Map<String, String> env = BotWorld.environment(root, discord, api, extra);
                String token = env.get("DISCORD_TOKEN");
                List<String> places = List.of(env.get("DATA_DIR"), root.resolve("claims").toString(),
                        env.get("WORKSPACE_ROOT"), root.resolve("home").toString(), mounts.toString());
                api.on(Match.userTextContains("probe"), Reply.blocks(Block.toolUse("Bash", Map.of(
                                "command", command(token, password, places), "description", "Look around"))))
                        .on(Match.toolResultFor("Bash"), Reply.text("Looked."));

                try (BotProcess bot = BotProcess.start(env, root.resolve("bot.log"))) {
                    discord.changes().ofType(Change.GatewayReady.class).blockFirst(WAIT);
                    discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "probe the machine");
                    String thread = discord.next(Change.ThreadCreated.class, t -> true, WAIT).block().thread().id();
                    PostedMessage ask = discord.changes().ofType(Change.MessageCreated.class)
                            .map(Change.MessageCreated::message)
                            .filter(m -> m.byBot() && m.channelId().equals(thread) && m.content().startsWith("🔐"))
                            .blockFirst(WAIT);
                    discord.clickButton(FakeUser.OWNER, ask.id(), ask.customIds().get(0));
                    RecordedRequest result = await("the probe's output reaching the model").atMost(WAIT)
                            .until(() -> api.requests().stream()
                                    .filter(r -> PROBE.matcher(r.body().toString()).find()).findFirst(),
                                    java.util.Optional::isPresent)
                            .orElseThrow();
                    Matcher found = PROBE.matcher(result.body().toString());
                    assertThat(found.find()).isTrue();
                    return found.group(1).strip().isEmpty() ? "nothing" : found.group(1).strip();
                } finally {
                    if (Files.exists(root.resolve("bot.log"))) {
                        System.out.println(Files.readString(root.resolve("bot.log")));
                    }
                }
            } finally {
                discord.close();
            }
        } finally {
            try (var paths = Files.walk(mounts)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The probe. The secrets travel reversed (the command is kept in the CLI's transcript, which the probe searches
     * too, and must not find itself); it prints what it found between brackets.
     */
    private static String command(String token, String password, List<String> places) {
        String reversedToken = new StringBuilder(token).reverse().toString();
        String reversedPassword = new StringBuilder(password).reverse().toString();
        return String.join("; ",
                "T=$(printf %s '" + reversedToken + "' | rev); P=$(printf %s '" + reversedPassword + "' | rev); f=''",
                "for e in /proc/[0-9]*/environ; do tr '\\0' '\\n' < \"$e\" 2>/dev/null | grep -qF -e \"$T\" "
                        + "&& f=\"$f token-in-environ\"; tr '\\0' '\\n' < \"$e\" 2>/dev/null | grep -qF -e \"$P\" "
                        + "&& f=\"$f password-in-environ\"; done",
                "for d in " + String.join(" ", places) + " \"$HOME\" \"$CLAUDE_CONFIG_DIR\"; do "
                        + "grep -rqsF -e \"$T\" \"$d\" 2>/dev/null && f=\"$f token-in-$d\"; "
                        + "grep -rqsF -e \"$P\" \"$d\" 2>/dev/null && f=\"$f password-in-$d\"; done",
                // Split so that the command (in the request's history too) does not match what it prints.
                "echo \"PRO\"\"BE:[$(echo $f | tr ' ' '\\n' | sort -u | tr '\\n' ' ')]\"");
    }
}
