package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.FakeKubernetes;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.SessionImage;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts interrupt nothing in the kubernetes runtime: the bot (its packaged jar, as its own OS process) is killed
 * with SIGKILL, or drained with SIGTERM, while a session pod's CLI is in a turn; the pod runs on, and the next bot
 * re-attaches to it, replays its log from where the turn began (each line once, though several share a second) and
 * carries the reply on in the same message; a permission the CLI still waits on is asked again and answered.
 * FakeKubernetes runs each pod's command (the real pinned CLI, as another user, in its own namespaces) against
 * FakeAnthropicApi; Discord is FakeDiscord.
 */
@Timeout(300)
final class PodRestartIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String NAMESPACE = "claude-bridge-sessions";
    /** The scripted answer: 60 numbered lines, streamed at 12 deltas a second (several log lines each second). */
    private static final List<String> LINES = IntStream.rangeClosed(1, 60).mapToObj(i -> String.format("row-%02d", i))
            .toList();

    @TempDir
    Path root;

    private Path mounts;
    private FakeKubernetes kube;
    private FakeAnthropicApi api;
    private FakeDiscord discord;
    private Map<String, String> env;

    @BeforeEach
    void cluster() throws IOException {
        mounts = Files.createTempDirectory(Path.of("/tmp"), "pod-mounts-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        kube = FakeKubernetes.start(root.resolve("claims"));
        kube.putSecret(NAMESPACE, "claude-model-credentials", Map.of("ANTHROPIC_API_KEY", "sk-ant-pod"));
        api = FakeAnthropicApi.start();
        discord = FakeDiscord.start();
        Path template = root.resolve("session-pod.yaml");
        Files.writeString(template, """
                apiVersion: v1
                kind: Pod
                spec:
                  securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001}
                  containers: [{name: claude, image: claude-bridge:test}]
                """);
        Map<String, String> extra = new HashMap<>(Map.of("AGENT_RUNTIME", "kubernetes",
                "SESSION_POD_TEMPLATE", template.toString(), "SESSION_MOUNT_PATH", mounts.resolve("session").toString(),
                "SESSION_CLAUDE_BIN", SessionImage.cli(), "KUBERNETES_MASTER", kube.masterUrl(),
                "KUBERNETES_AUTH_TOKEN", "bot-token"));
        env = BotWorld.environment(root, discord, api, extra);
    }

    @AfterEach
    void close() throws IOException {
        try {
            discord.close();
            api.close();
            kube.close();
        } finally {
            try (var paths = Files.walk(mounts)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            Path log = root.resolve("bot.log");
            if (Files.exists(log)) {
                System.out.println(Files.readString(log));
            }
        }
    }

    /**
     * SIGKILL in the middle of a streamed reply: the restarted bot finishes the same reply in the same message, every
     * scripted line exactly once and in order, in the same pod; the turn before it is not taken for this one (its
     * last lines share a second with this turn's start, which the replay reads again).
     */
    @Test
    void aBotKilledMidTurnFinishesTheSameReplyInTheSameMessage() throws Exception {
        api.on(Match.userTextContains("warm up"), Reply.text("Warm."))
                .on(Match.userTextContains("count"), Reply.text(LINES.stream().map(l -> l + "\n")
                        .collect(Collectors.joining())).tokensPerSecond(12));
        String thread;
        String replyId;
        String pod;
        try (BotProcess first = BotProcess.start(env, root.resolve("bot.log"))) {
            awaitLogin(1);
            discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "warm up");
            thread = discord.next(Change.ThreadCreated.class, t -> true, WAIT).block().thread().id();
            await(m -> m.channelId().equals(thread) && m.content().startsWith("Warm.") && m.content().contains("⏱"));
            discord.userMessage(FakeUser.OWNER, thread, "count for me");
            PostedMessage streaming = await(m -> m.channelId().equals(thread) && m.content().contains("row-08"));
            replyId = streaming.id();
            pod = runningPods().getFirst();
            first.kill9();
        }
        assertThat(runningPods()).as("the pod runs on without the bot").containsExactly(pod);
        // A session pod whose session the store does not know (left by some other run): the restart deletes it.
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(kube.config()).build()) {
            client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata()
                    .withName("claude-session-stray-0a1b2c").addToLabels("app.kubernetes.io/managed-by",
                            "claude-bridge").addToLabels("claude-bridge/session", "stray").endMetadata()
                    .withNewSpec().withRestartPolicy("Never").addToContainers(new ContainerBuilder().withName("claude")
                            .withImage("claude-bridge:test").withCommand("/bin/sh", "-c", "sleep 300").build())
                    .endSpec().build()).create();
        }

        try (BotProcess second = BotProcess.start(env, root.resolve("bot.log"))) {
            awaitLogin(2);
            org.awaitility.Awaitility.await("the stray pod deleted").atMost(WAIT)
                    .until(() -> !runningPods().contains("claude-session-stray-0a1b2c"));
            await(m -> m.id().equals(replyId) && m.content().contains("row-60") && m.content().contains("⏱"));
            String finished = discord.message(replyId).content();
            List<String> rows = finished.lines().filter(l -> l.startsWith("row-")).toList();
            assertThat(rows).as("every line once, in order, in the message the first bot posted")
                    .containsExactlyElementsOf(LINES);
            assertThat(finished).doesNotContain("Warm.");
            List<PostedMessage> others = discord.messages(thread).stream()
                    .filter(m -> m.byBot() && !m.id().equals(replyId))
                    .map(m -> discord.message(m.id()))
                    .filter(m -> m.content().contains("row-") || m.content().contains("Interrupted by a restart"))
                    .toList();
            assertThat(others).as("no second reply, no interruption notice").isEmpty();
            assertThat(runningPods()).as("the same pod carried the turn; the stray one is gone").containsExactly(pod);
            assertThat(api.requests().stream().filter(r -> r.userText().contains("count")).count())
                    .as("the prompt reached the model once").isEqualTo(1);
        }
    }

    /**
     * SIGTERM while the CLI waits on a permission: the drain leaves the pod running; the next bot asks the permission
     * again, its answer reaches the CLI, and the turn's reply carries on in its first message.
     */
    @Test
    void aPermissionPendingAcrossADrainIsAskedAgainAndAnswered() throws Exception {
        api.on(Match.userTextContains("touch"), Reply.blocks(Block.text("Running it."),
                        Block.toolUse("Bash", Map.of("command", "touch across-the-restart.txt", "description",
                                "Touch"))))
                .on(Match.toolResultFor("Bash"), Reply.text("The file is there."));
        String thread;
        String askedFirst;
        String replyId;
        String pod;
        try (BotProcess first = BotProcess.start(env, root.resolve("bot.log"))) {
            awaitLogin(1);
            discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "please touch a file");
            thread = discord.next(Change.ThreadCreated.class, t -> true, WAIT).block().thread().id();
            askedFirst = await(m -> m.channelId().equals(thread) && m.content().startsWith("🔐")).id();
            replyId = await(m -> m.channelId().equals(thread) && m.content().contains("Running it.")).id();
            pod = runningPods().getFirst();
            first.process.destroy(); // SIGTERM: the drain
            assertThat(first.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(runningPods()).as("the drain left the pod running").containsExactly(pod);

        try (BotProcess second = BotProcess.start(env, root.resolve("bot.log"))) {
            awaitLogin(2);
            PostedMessage askedAgain = await(m -> m.channelId().equals(thread) && m.content().startsWith("🔐")
                    && !m.id().equals(askedFirst));
            assertThat(askedAgain.content()).contains("touch across-the-restart.txt");
            discord.clickButton(FakeUser.OWNER, askedAgain.id(), askedAgain.customIds().get(0));
            await(m -> m.id().equals(replyId) && m.content().contains("The file is there.")
                    && m.content().contains("⏱"));
            JsonNode podJson = kube.pod(NAMESPACE, pod).orElseThrow();
            String claim = podJson.path("spec").path("volumes").get(0).path("persistentVolumeClaim")
                    .path("claimName").asText();
            assertThat(kube.claimPath(NAMESPACE, claim).resolve("work/across-the-restart.txt")).exists();
            assertThat(discord.messages(thread).stream().filter(PostedMessage::byBot)
                    .map(m -> discord.message(m.id()).content())
                    .filter(c -> c.contains("Interrupted by a restart") || c.contains("Restarting:")))
                    .as("nothing said of an interruption").isEmpty();
        }
    }

    private List<String> runningPods() {
        return kube.pods(NAMESPACE).stream()
                .filter(p -> p.path("metadata").path("deletionTimestamp").isMissingNode())
                .map(p -> p.path("metadata").path("name").asText()).toList();
    }

    private PostedMessage await(Predicate<PostedMessage> matches) {
        return discord.changes()
                .filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                .map(c -> c instanceof Change.MessageCreated mc ? mc.message() : ((Change.MessageEdited) c).message())
                .filter(m -> m.byBot() && matches.test(m))
                .blockFirst(WAIT);
    }

    /** The gateway's READY of the bot's {@code readyCount}-th login. */
    private void awaitLogin(int readyCount) {
        discord.changes().ofType(Change.GatewayReady.class).skip(readyCount - 1L).blockFirst(WAIT);
    }
}
