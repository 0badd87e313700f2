package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.FakeKubernetes;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.SessionImage;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import dev.claudebridge.testkit.discord.UserFile;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code AGENT_RUNTIME=kubernetes} end to end: the bot as {@code Main} wires it, the real fabric8 client against
 * {@link FakeKubernetes}, whose kubelet runs each session pod's command (the real pinned CLI, as the pod's user, in
 * its own PID and mount namespaces, with only its claim) against {@code FakeAnthropicApi}; Discord is
 * {@code FakeDiscord}.
 */
@Timeout(180)
final class KubernetesRuntimeTest {

    private static final String NAMESPACE = "claude-bridge-sessions";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TEMPLATE = """
            apiVersion: v1
            kind: Pod
            spec:
              securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001}
              containers:
                - name: claude
                  image: claude-bridge:test
                  securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
            """;

    @TempDir
    Path root;

    private FakeKubernetes kube;
    private Path mounts;
    private BotWorld world;

    @BeforeEach
    void cluster() throws IOException {
        kube = FakeKubernetes.start(root.resolve("claims"));
        kube.putSecret(NAMESPACE, "claude-model-credentials", Map.of("ANTHROPIC_API_KEY", "sk-ant-session-pods"));
        // The pods' mount point: its parents must be open to the pod's user (a @TempDir is its owner's only).
        mounts = Files.createTempDirectory(Path.of("/tmp"), "pod-mounts-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @AfterEach
    void stop() throws IOException {
        try {
            if (world != null) {
                world.close();
            }
        } finally {
            kube.close();
            try (var paths = Files.walk(mounts)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private BotWorld start(Map<String, String> extra) throws IOException {
        Path template = root.resolve("session-pod.yaml");
        Files.writeString(template, TEMPLATE);
        Map<String, String> env = new HashMap<>(extra);
        env.put("AGENT_RUNTIME", "kubernetes");
        env.put("SESSION_POD_TEMPLATE", template.toString());
        env.put("SESSION_MOUNT_PATH", mounts.resolve("session").toString());
        env.put("SESSION_CLAUDE_BIN", SessionImage.cli());
        env.put("KUBERNETES_MASTER", kube.masterUrl());
        env.put("KUBERNETES_AUTH_TOKEN", "bot-service-account-token");
        return BotWorld.start(root, s -> s, env);
    }

    private List<JsonNode> sessionPods() {
        return kube.pods(NAMESPACE).stream()
                .filter(p -> p.path("metadata").path("deletionTimestamp").isMissingNode()).toList();
    }

    private static String podName(JsonNode pod) {
        return pod.path("metadata").path("name").asText();
    }

    /**
     * A session's CLI runs in a pod of its own: the reply streams from the pod's log, the permission button is
     * answered over attach, the tool runs in the pod and writes to the session's claim, not to the bot's workspace;
     * the pod has no service account token and none of the bot's secrets, only the model key from its Secret.
     */
    @Test
    void aSessionRunsInItsOwnPodAndAsksBeforeItsToolRuns() throws Exception {
        world = start(Map.of());
        world.api.on(Match.userTextContains("touch"), Reply.blocks(Block.text("Running it."),
                        Block.toolUse("Bash", Map.of("command", "touch made-in-the-pod.txt", "description", "Touch"))))
                .on(Match.toolResultFor("Bash"), Reply.text("The file is in the pod's claim."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "please touch a file");
        String thread = world.awaitThread();

        PostedMessage prompt = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("🔐"));
        assertThat(prompt.content()).contains("touch made-in-the-pod.txt");
        world.discord.clickButton(FakeUser.OWNER, prompt.id(), prompt.customIds().get(0));
        world.awaitContent(thread, c -> c.contains("The file is in the pod's claim.") && c.contains("⏱"));

        JsonNode pod = sessionPods().getFirst();
        JsonNode spec = pod.path("spec");
        assertThat(spec.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        JsonNode container = spec.path("containers").get(0);
        assertThat(container.path("stdin").asBoolean()).isTrue();
        List<String> env = new ArrayList<>();
        container.path("env").forEach(e -> env.add(e.path("name").asText() + "=" + e.path("value").asText()));
        assertThat(String.join("\n", env)).doesNotContain(world.config.discordToken(), "ANTHROPIC_API_KEY",
                "DATABASE_URL");
        String claim = spec.path("volumes").get(0).path("persistentVolumeClaim").path("claimName").asText();
        assertThat(kube.claimPath(NAMESPACE, claim).resolve("work/made-in-the-pod.txt")).exists();
        assertThat(world.workspace.resolve("made-in-the-pod.txt")).doesNotExist();
        RecordedRequest first = world.api.requests().stream().filter(r -> r.userText().contains("touch a file"))
                .findFirst().orElseThrow();
        assertThat(first.headers().get("x-api-key")).as("the model key came from the session namespace's Secret")
                .isEqualTo("sk-ant-session-pods");
    }

    /** Idle: the pod is deleted and the claim kept; the next message resumes the conversation in a new pod. */
    @Test
    void anIdleSessionLosesItsPodAndResumesInANewOne() throws Exception {
        world = start(Map.of("IDLE_TIMEOUT", "3s"));
        world.api.on(Match.userTextContains("remember 42"), Reply.text("Noted."))
                .on(Match.userTextContains("which number"), Reply.text("It was 42."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "remember 42");
        String thread = world.awaitThread();
        world.awaitContent(thread, c -> c.contains("Noted.") && c.contains("⏱"));
        String firstPod = podName(sessionPods().getFirst());

        await().atMost(WAIT).until(() -> kube.pods(NAMESPACE).isEmpty());
        assertThat(kube.claims(NAMESPACE)).hasSize(1);

        world.discord.userMessage(FakeUser.OWNER, thread, "which number was it?");
        world.awaitContent(thread, c -> c.contains("It was 42.") && c.contains("⏱"));
        assertThat(podName(sessionPods().getFirst())).isNotEqualTo(firstPod);
        RecordedRequest second = world.api.requests().stream().filter(r -> r.userText().contains("which number"))
                .findFirst().orElseThrow();
        assertThat(second.body().path("messages").toString()).as("the conversation, resumed from the claim")
                .contains("remember 42");
    }

    /**
     * Files in and out on a session's claim, which the bot cannot mount, through {@code pods/exec}: attachments are
     * saved by the session's CLI pod (an image reaches the model as an image block), {@code /download} reads from the
     * claim, refuses paths and links that lead out, and, once idle deleted the CLI pod, still works through a files
     * pod made for it.
     */
    @Test
    void filesInAndOutGoThroughAPodThatMountsTheClaim() throws Exception {
        world = start(Map.of("IDLE_TIMEOUT", "3s"));
        world.api.on(Match.userTextContains("let us start"), Reply.text("Started."))
                .on(Match.userTextContains("what is in this picture"), Reply.text("A single pixel."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "let us start");
        String thread = world.awaitThread();
        world.awaitContent(thread, c -> c.contains("Started.") && c.contains("⏱"));
        byte[] png = java.util.Base64.getDecoder().decode(FilesTest.PIXEL_PNG);
        byte[] notes = "first line\nsecond line\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        world.discord.userMessage(FakeUser.OWNER, thread, "what is in this picture?", List.of(
                new UserFile("screenshot", "application/octet-stream", png),
                new UserFile("notes.txt", "text/plain", notes)));
        world.awaitContent(thread, c -> c.contains("A single pixel.") && c.contains("⏱"));
        RecordedRequest asked = world.api.requests().stream().filter(r -> r.userText().contains("this picture"))
                .findFirst().orElseThrow();
        assertThat(asked.userImages()).singleElement().satisfies(image -> assertThat(image.path("source")
                .path("data").asText()).isEqualTo(FilesTest.PIXEL_PNG));
        assertThat(asked.userText()).contains("attachments/screenshot.png", "attachments/notes.txt");
        JsonNode pod = sessionPods().getFirst();
        String claim = pod.path("spec").path("volumes").get(0).path("persistentVolumeClaim").path("claimName").asText();
        Path work = kube.claimPath(NAMESPACE, claim).resolve("work");
        assertThat(work.resolve("attachments/screenshot.png")).hasBinaryContent(png);
        assertThat(work.resolve("attachments/notes.txt")).hasBinaryContent(notes);
        assertThat(world.workspace.resolve("attachments")).as("nothing on the bot's disk").doesNotExist();

        assertThat(download(thread, "attachments/notes.txt", "Attached.")).isEqualTo("Attached.");
        PostedMessage file = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("📎"));
        assertThat(file.attachments()).singleElement().satisfies(a -> assertThat(a.text())
                .isEqualTo("first line\nsecond line\n"));
        Files.createSymbolicLink(work.resolve("link.txt"), Path.of("/etc/hostname"));
        assertThat(download(thread, "link.txt", "outside")).contains("leads outside the session's working directory");
        assertThat(download(thread, "../config/settings.json", "outside")).contains("outside the session's");
        assertThat(download(thread, "missing.txt", "no such file")).contains("no such file");

        // Idle: the CLI pod goes; a download now runs in a files pod that mounts the claim.
        await().atMost(WAIT).until(() -> sessionPods().isEmpty());
        assertThat(download(thread, "attachments/screenshot.png", "Attached.")).isEqualTo("Attached.");
        PostedMessage image = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("📎")
                && m.content().contains("screenshot.png"));
        assertThat(image.attachments()).singleElement().satisfies(a -> assertThat(a.filename())
                .isEqualTo("screenshot.png"));
        assertThat(kube.requests()).anyMatch(r -> r.method().equals("POST") && r.path().endsWith("/pods")
                && kube.pods(NAMESPACE).stream().anyMatch(p -> podName(p).startsWith("claude-files-")));
    }

    /** The reply to {@code /download path} in the thread (its deferred reply, once edited to contain {@code text}). */
    private String download(String thread, String path, String text) {
        InteractionRef ref = world.discord.slashCommand(FakeUser.OWNER, thread, "download", Map.of("path", path));
        return world.discord.changes()
                .filter(c -> (c instanceof Change.MessageEdited e && e.message().interactionId().map(ref.id()::equals)
                        .orElse(false)) || (c instanceof Change.InteractionAnswered a
                        && a.interactionId().equals(ref.id())))
                .map(c -> c instanceof Change.MessageEdited e ? e.message().content()
                        : ((Change.InteractionAnswered) c).data().path("content").asText())
                .filter(t -> t.contains(text))
                .blockFirst(WAIT);
    }

    /**
     * The kubelet closes an attach that has been idle for its limit (4 hours by default; the fake closes it on
     * request): the session's next prompt still reaches the CLI, over an attach opened again, in the same pod.
     */
    @Test
    void aPromptAfterTheKubeletClosedTheAttachReachesTheCliOverANewOne() throws Exception {
        world = start(Map.of());
        world.api.on(Match.userTextContains("first"), Reply.text("One."))
                .on(Match.userTextContains("second"), Reply.text("Two."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "first question");
        String thread = world.awaitThread();
        world.awaitContent(thread, c -> c.contains("One.") && c.contains("⏱"));
        String pod = podName(sessionPods().getFirst());
        long attachesBefore = kube.requests().stream().filter(r -> r.path().endsWith("/attach")).count();
        assertThat(kube.dropAttachments(NAMESPACE, pod)).isEqualTo(1);

        world.discord.userMessage(FakeUser.OWNER, thread, "second question");
        world.awaitContent(thread, c -> c.contains("Two.") && c.contains("⏱"), WAIT);
        assertThat(podName(sessionPods().getFirst())).as("the same pod").isEqualTo(pod);
        assertThat(kube.requests().stream().filter(r -> r.path().endsWith("/attach")).count())
                .as("attached once more").isEqualTo(attachesBefore + 1);
    }

    /**
     * A pod killed from outside (exit 137) is a dead session with its Resume; one the kernel killed for its memory
     * (simulated: the fake cannot enforce limits) is said as such.
     */
    @Test
    void aPodKilledFromOutsideOrForItsMemoryIsSaidInTheThread() throws Exception {
        world = start(Map.of());
        world.api.on(Match.userTextContains("slow"), Reply.text("word ".repeat(400)).tokensPerSecond(20));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "a slow answer please");
        String thread = world.awaitThread();
        world.awaitContent(thread, c -> c.contains("word word"));
        String killed = podName(sessionPods().getFirst());
        assertThat(kube.killPod(NAMESPACE, killed)).isTrue();
        PostedMessage dead = world.awaitContent(thread, c -> c.startsWith("💥"), WAIT);
        assertThat(dead.content()).contains("137", "Resume");
        await("the ended pod goes once its log is read").atMost(WAIT).until(() -> kube.pods(NAMESPACE).isEmpty());

        world.discord.userMessage(FakeUser.OWNER, thread, "slow again");
        await().atMost(WAIT).until(() -> sessionPods().stream().anyMatch(p -> !podName(p).equals(killed)
                && p.path("status").path("phase").asText().equals("Running")));
        String second = sessionPods().stream().map(KubernetesRuntimeTest::podName).filter(n -> !n.equals(killed))
                .findFirst().orElseThrow();
        await().atMost(WAIT).until(() -> world.api.requests().stream()
                .anyMatch(r -> r.userText().contains("slow again")));
        assertThat(kube.markOomKilled(NAMESPACE, second)).isTrue();
        PostedMessage oom = world.awaitContent(thread, c -> c.startsWith("💥") && c.contains("OOMKilled"), WAIT);
        assertThat(oom.content()).contains("memory");
    }
}
