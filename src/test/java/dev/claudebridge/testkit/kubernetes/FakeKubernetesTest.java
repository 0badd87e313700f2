package dev.claudebridge.testkit.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudebridge.testkit.FakeKubernetes;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * Holds {@link FakeKubernetes} to the real fabric8 client (8.0.0 on the JDK HTTP client): everything here goes
 * through {@link KubernetesClient} over real HTTP and WebSocket, so a wire format the client does not understand
 * fails here. Pods are real local processes; the tests run as root (namespaces, mounts, users).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
final class FakeKubernetesTest {
    private static final Pattern TIMESTAMPED = Pattern.compile(
            "^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z) (.*)$", Pattern.MULTILINE);
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @TempDir
    static Path temp;
    static FakeKubernetes k8s;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        assertThat(System.getProperty("user.name")).as("the fake kubelet needs root").isEqualTo("root");
        k8s = FakeKubernetes.start(temp.resolve("claims"));
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(k8s.masterUrl())
                .withOauthToken("t").withTrustCerts(true).build()).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        k8s.close();
    }

    @Test
    void catWithStdinIsAttachedTwiceAndEchoesIntoTheFollowedLog() throws Exception {
        String ns = namespace();
        List<String> phases = new CopyOnWriteArrayList<>();
        try (Watch watch = client.pods().inNamespace(ns).watch(new Recorder(p -> phases.add(p.getStatus().getPhase())))) {
            Pod created = client.pods().inNamespace(ns).resource(pod("cat", List.of("/bin/cat"), true)).create();
            assertThat(created.getMetadata().getUid()).isNotBlank();
            assertThat(created.getMetadata().getResourceVersion()).isNotBlank();
            assertThat(Instant.parse(created.getMetadata().getCreationTimestamp()))
                    .isCloseTo(Instant.now(), within(Duration.ofSeconds(10)));
            assertThat(created.getStatus().getPhase()).isEqualTo("Pending");
            PodResource cat = client.pods().inNamespace(ns).withName("cat");
            cat.waitUntilCondition(p -> "Running".equals(p.getStatus().getPhase()), 10, TimeUnit.SECONDS);
            await(() -> phases.contains("Running"));
            assertThat(phases).startsWith("Pending");
            assertThat(phases.indexOf("Pending")).isLessThan(phases.indexOf("Running"));

            ByteArrayOutputStream followed = new SyncBytes();
            try (LogWatch logWatch = cat.usingTimestamps().watchLog(followed)) {
                try (ExecWatch attach = cat.redirectingInput().attach()) {
                    attach.getInput().write("hello\n".getBytes(StandardCharsets.UTF_8));
                    attach.getInput().flush();
                    await(() -> followed.toString().contains("hello\n"));
                }
                // a detach leaves stdin open: a second attach still reaches cat
                try (ExecWatch again = cat.redirectingInput().attach()) {
                    again.getInput().write("again\n".getBytes(StandardCharsets.UTF_8));
                    again.getInput().flush();
                    await(() -> followed.toString().contains("again\n"));
                }
                Matcher m = TIMESTAMPED.matcher(followed.toString());
                List<String> texts = new ArrayList<>();
                while (m.find()) {
                    assertThat(Instant.parse(m.group(1))).isCloseTo(Instant.now(), within(Duration.ofSeconds(10)));
                    texts.add(m.group(2));
                }
                assertThat(texts).containsExactly("hello", "again");
            }
            assertThat(client.pods().inNamespace(ns).withName("cat").get().getStatus().getPhase()).isEqualTo("Running");
        }
        assertThat(k8s.requests()).anySatisfy(r -> {
            assertThat(r.path()).isEqualTo("/api/v1/namespaces/" + ns + "/pods/cat/attach");
            assertThat(r.param("stdin")).isEqualTo("true");
        });
    }

    @Test
    void sinceTimeReplaysFromTheWholeSecond() throws Exception {
        String ns = namespace();
        client.pods().inNamespace(ns).resource(pod("ticker", List.of("/bin/sh", "-c",
                "for i in 1 2 3 4 5 6 7 8; do echo line$i; sleep 0.3; done"), false)).create();
        PodResource ticker = client.pods().inNamespace(ns).withName("ticker");
        ticker.waitUntilCondition(FakeKubernetesTest::ended, 10, TimeUnit.SECONDS);

        List<Instant> times = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        Matcher m = TIMESTAMPED.matcher(ticker.usingTimestamps().getLog());
        while (m.find()) {
            times.add(Instant.parse(m.group(1)));
            lines.add(m.group(2));
        }
        assertThat(lines).containsExactly("line1", "line2", "line3", "line4", "line5", "line6", "line7", "line8");
        // a line that is not the first of its second (nor in the first second): asking from its exact time gives
        // the whole second, and nothing before it
        Instant firstSecond = times.get(0).truncatedTo(ChronoUnit.SECONDS);
        int pick = -1;
        for (int i = 1; i < times.size(); i++) {
            Instant of = times.get(i).truncatedTo(ChronoUnit.SECONDS);
            if (of.isAfter(firstSecond) && of.equals(times.get(i - 1).truncatedTo(ChronoUnit.SECONDS))) {
                pick = i;
                break;
            }
        }
        assertThat(pick).as("two lines in one second in %s", times).isPositive();
        Instant second = times.get(pick).truncatedTo(ChronoUnit.SECONDS);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < times.size(); i++) {
            if (!times.get(i).isBefore(second)) {
                expected.add(lines.get(i));
            }
        }
        String replay = ticker.sinceTime(times.get(pick).toString()).getLog();
        assertThat(replay.lines().toList()).containsExactlyElementsOf(expected).contains(lines.get(pick - 1));
        assertThat(expected).hasSizeLessThan(lines.size());

        String tail = ticker.tailingLines(2).getLog();
        assertThat(tail).isEqualTo("line7\nline8\n");
    }

    @Test
    void stderrIsMergedAndTheTerminationMessageEndsAFailedPod() {
        String ns = namespace();
        client.pods().inNamespace(ns).resource(pod("fails", List.of("/bin/sh", "-c",
                "echo out; sleep 0.05; echo err >&2; echo bye > /dev/termination-log; exit 3"), false)).create();
        PodResource fails = client.pods().inNamespace(ns).withName("fails");
        Pod done = fails.waitUntilCondition(FakeKubernetesTest::ended, 10, TimeUnit.SECONDS);

        assertThat(done.getStatus().getPhase()).isEqualTo("Failed");
        ContainerStateTerminated t = done.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertThat(t.getExitCode()).isEqualTo(3);
        assertThat(t.getReason()).isEqualTo("Error");
        assertThat(t.getMessage()).isEqualTo("bye\n");
        assertThat(t.getStartedAt()).isNotNull();
        assertThat(t.getFinishedAt()).isNotNull();
        assertThat(done.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("False");
        });
        assertThat(fails.getLog()).isEqualTo("out\nerr\n");
        // the kubelet keeps the last 4096 bytes of a longer message
        client.pods().inNamespace(ns).resource(pod("long", List.of("/bin/sh", "-c",
                "printf '%05000d' 0 > /dev/termination-log; printf END >> /dev/termination-log"), false)).create();
        Pod longMessage = client.pods().inNamespace(ns).withName("long").waitUntilCondition(FakeKubernetesTest::ended,
                10, TimeUnit.SECONDS);
        String message = longMessage.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage();
        assertThat(message).hasSize(4096).endsWith("0END");
        assertThat(longMessage.getStatus().getContainerStatuses().get(0).getState().getTerminated().getReason())
                .isEqualTo("Completed");
        // following the log of a container that has exited replays it and ends
        ByteArrayOutputStream followed = new SyncBytes();
        try (LogWatch follow = fails.watchLog(followed)) {
            assertThat(follow.onClose().toCompletableFuture().get(5, TimeUnit.SECONDS)).isNull();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(followed.toString()).isEqualTo("out\nerr\n");
        assertThatThrownBy(() -> fails.terminated().getLog()).isInstanceOfSatisfying(KubernetesClientException.class,
                e -> assertThat(e.getCode()).isEqualTo(400));
        // a terminal pod has no container to attach to, as on a real cluster
        // (fabric8 8.0.0 throws the refused upgrade itself, "An error has occurred", without the server's Status)
        assertThatThrownBy(() -> fails.redirectingInput().attach())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(handshakeCode(e)).as(chain(e)).isEqualTo(400));
    }

    @Test
    void deleteWithGraceTermsThenKills() throws Exception {
        String ns = namespace();
        client.pods().inNamespace(ns).resource(pod("polite", List.of("/bin/sh", "-c",
                "trap 'echo got TERM; exit 0' TERM; echo ready; while :; do sleep 0.1; done"), false)).create();
        client.pods().inNamespace(ns).resource(pod("stubborn", List.of("/bin/sh", "-c",
                "trap '' TERM; echo ready; sleep 30"), false)).create();
        List<Pod> last = new CopyOnWriteArrayList<>();
        List<String> deleted = new CopyOnWriteArrayList<>();
        try (Watch watch = client.pods().inNamespace(ns).watch(new Recorder(last::add, deleted::add))) {
            for (String name : List.of("polite", "stubborn")) {
                client.pods().inNamespace(ns).withName(name)
                        .waitUntilCondition(p -> "Running".equals(p.getStatus().getPhase()), 10, TimeUnit.SECONDS);
            }
            await(() -> k8sLog(ns, "polite").contains("ready") && k8sLog(ns, "stubborn").contains("ready"));
            long start = System.nanoTime();
            List<StatusDetails> details = client.pods().inNamespace(ns).withName("polite").withGracePeriod(5).delete();
            assertThat(details).hasSize(1);
            client.pods().inNamespace(ns).withName("stubborn").withGracePeriod(1).delete();
            // the object lingers, marked, while its process ignores the TERM
            Pod marked = client.pods().inNamespace(ns).withName("stubborn").get();
            assertThat(marked).isNotNull();
            assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();
            assertThat(marked.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(1L);
            await(() -> deleted.contains("polite"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            await(() -> deleted.contains("stubborn"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
        assertThat(terminated(last, "polite").getExitCode()).isZero();
        assertThat(terminated(last, "polite").getReason()).isEqualTo("Completed");
        assertThat(terminated(last, "stubborn").getExitCode()).isEqualTo(137);
        assertThat(client.pods().inNamespace(ns).withName("polite").get()).isNull();
    }

    @Test
    void labelSelectorsListAndWatch() throws Exception {
        String ns = namespace();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Watch watch = client.pods().inNamespace(ns).withLabel("app", "a").watch(new Recorder(
                p -> seen.add(p.getMetadata().getName())))) {
            for (String[] p : new String[][] {{"a1", "a", "x"}, {"a2", "a", "y"}, {"b1", "b", "x"}}) {
                Pod pod = pod(p[0], List.of("/bin/sleep", "30"), false);
                pod.getMetadata().setLabels(Map.of("app", p[1], "tier", p[2]));
                client.pods().inNamespace(ns).resource(pod).create();
            }
            await(() -> seen.contains("a1") && seen.contains("a2"));
            assertThat(seen).doesNotContain("b1");
        }
        assertThat(names(client.pods().inNamespace(ns).withLabel("app", "a").list().getItems()))
                .containsExactly("a1", "a2");
        assertThat(names(client.pods().inNamespace(ns).withLabelIn("tier", "x").list().getItems()))
                .containsExactly("a1", "b1");
        assertThat(names(client.pods().inNamespace(ns).withLabel("app", "a").withoutLabel("tier", "x").list()
                .getItems())).containsExactly("a2");
        assertThat(names(client.pods().inNamespace(ns).withLabel("tier").list().getItems())).hasSize(3);
        assertThat(names(client.pods().inNamespace(ns).withLabelNotIn("app", "a").list().getItems()))
                .containsExactly("b1");
        assertThat(k8s.requests()).anySatisfy(r -> assertThat(r.param("labelSelector")).isEqualTo("app=a"));
        for (String name : List.of("a1", "a2", "b1")) {
            client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete();
        }
    }

    @Test
    void claimsAreHostDirectoriesOwnedByThePodsUserAndPrivateToThem() throws Exception {
        String ns = namespace();
        for (String claim : List.of("one", "two")) {
            client.persistentVolumeClaims().inNamespace(ns).resource(claim(claim)).create();
        }
        Path one = k8s.claimPath(ns, "one");
        assertThat(one).isDirectory();
        List<String> claimEvents = new CopyOnWriteArrayList<>();
        Watch claimWatch = client.persistentVolumeClaims().inNamespace(ns).withLabel("claude-bridge/session", "one")
                .watch(new Watcher<PersistentVolumeClaim>() {
                    @Override
                    public void eventReceived(Action action, PersistentVolumeClaim claim) {
                        claimEvents.add(action + " " + claim.getMetadata().getName() + " "
                                + claim.getStatus().getPhase());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
        assertThat(client.persistentVolumeClaims().inNamespace(ns).withLabel("claude-bridge/session").list()
                .getItems()).hasSize(2).allSatisfy(c -> assertThat(c.getStatus().getPhase()).isEqualTo("Bound"));

        // pods share the host's root: the mount point must be where the pod's user can reach it, as in an image
        Path mount = Path.of("/tmp", "fake-k8s-test-" + ProcessHandle.current().pid() + "-" + ns, "session");
        // with an emptyDir at /tmp as the bot's pods have: mounted before the claim below it, private to the pod
        String scratch = "/tmp/scratch-" + ns + "-" + ProcessHandle.current().pid();
        Pod writer = pod("writer", List.of("/bin/sh", "-c", "echo secret > " + mount + "/f; echo x > " + scratch
                + "; id -u"), false);
        withClaim(writer, "one", mount.toString(), 12345L);
        withTmp(writer);
        client.pods().inNamespace(ns).resource(writer).create();
        Pod w = client.pods().inNamespace(ns).withName("writer").waitUntilCondition(FakeKubernetesTest::ended, 10,
                TimeUnit.SECONDS);
        assertThat(w.getStatus().getPhase()).as(k8sLog(ns, "writer")).isEqualTo("Succeeded");
        String writerLog = k8sLog(ns, "writer");
        assertThat(writerLog).as("%s", Arrays.toString(writerLog.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("12345\n");
        assertThat(Files.readString(one.resolve("f"))).isEqualTo("secret\n");
        assertThat(Files.getAttribute(one.resolve("f"), "unix:uid")).isEqualTo(12345);
        assertThat(Path.of(scratch)).doesNotExist();

        Path privateDir = Files.createDirectory(temp.resolve("private-" + ns));
        Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
        Pod snoop = pod("snoop", List.of("/bin/sh", "-c", "echo own: $(ls -A " + mount + "); cat " + one.resolve("f")
                + " || echo no-claim; ls " + privateDir + " || echo no-private; cat " + scratch + " || echo no-scratch"),
                false);
        withClaim(snoop, "two", mount.toString(), 12345L);
        withTmp(snoop);
        client.pods().inNamespace(ns).resource(snoop).create();
        client.pods().inNamespace(ns).withName("snoop").waitUntilCondition(FakeKubernetesTest::ended, 10,
                TimeUnit.SECONDS);
        String seen = k8sLog(ns, "snoop");
        assertThat(seen).contains("no-claim", "no-private", "no-scratch").doesNotContain("secret");
        assertThat(seen.lines().toList()).as("its own claim is empty").contains("own:");

        for (String name : List.of("writer", "snoop")) {
            client.pods().inNamespace(ns).withName(name).delete();
        }
        client.persistentVolumeClaims().inNamespace(ns).withName("one").delete();
        await(() -> !Files.exists(one));
        await(() -> claimEvents.contains("DELETED one Bound"));
        assertThat(claimEvents).first().isEqualTo("ADDED one Bound");
        claimWatch.close();
        Files.deleteIfExists(mount);
        Files.deleteIfExists(mount.getParent());
        assertThat(client.persistentVolumeClaims().inNamespace(ns).list().getItems()).extracting(
                c -> c.getMetadata().getName()).containsExactly("two");
    }

    @Test
    void aPodSeesOnlyItsOwnProcessesAndOnlyItsSpecsEnvironment() throws Exception {
        String ns = namespace();
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("model")
                .endMetadata().addToStringData("ANTHROPIC_API_KEY", "sk-test").build()).create();
        Pod pod = pod("env", List.of("/bin/sh", "-c", "sleep 5 & cat /proc/[0-9]*/environ 2>/dev/null"
                + " | tr '\\0' '\\n' | sort -u; echo PIDS $(ls /proc | grep -c '^[0-9]')"), false);
        pod.getSpec().getContainers().get(0).setEnv(List.of(
                new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("HOME").withValue("/session/home").build(),
                new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("KEY_AGAIN").withNewValueFrom()
                        .withNewSecretKeyRef("ANTHROPIC_API_KEY", "model", false).endValueFrom().build()));
        pod.getSpec().getContainers().get(0).setEnvFrom(List.of(new io.fabric8.kubernetes.api.model.EnvFromSourceBuilder()
                .withNewSecretRef("model", false).build()));
        client.pods().inNamespace(ns).resource(pod).create();
        client.pods().inNamespace(ns).withName("env").waitUntilCondition(FakeKubernetesTest::ended, 10,
                TimeUnit.SECONDS);
        List<String> out = k8sLog(ns, "env").lines().toList();
        // sh, sleep, cat, tr, sort and the init shell: a handful, never the host's hundreds
        String pids = out.get(out.size() - 1);
        assertThat(Integer.parseInt(pids.substring("PIDS ".length()))).isBetween(2, 10);
        // every environment a pod process can read is the spec's (PWD is the shell's own, of the default "/")
        assertThat(out.subList(0, out.size() - 1))
                .containsExactly("ANTHROPIC_API_KEY=sk-test", "HOME=/session/home", "KEY_AGAIN=sk-test", "PWD=/");
    }

    @Test
    void aMissingSecretKeepsThePodPendingAndItsLogAnswersAsTheApiServer() throws Exception {
        String ns = namespace();
        Pod pod = pod("waits", List.of("/bin/sh", "-c", "echo started"), false);
        pod.getSpec().getContainers().get(0).setEnvFrom(List.of(new io.fabric8.kubernetes.api.model.EnvFromSourceBuilder()
                .withNewSecretRef("later", false).build()));
        client.pods().inNamespace(ns).resource(pod).create();
        PodResource waits = client.pods().inNamespace(ns).withName("waits");
        Pod pending = waits.waitUntilCondition(p -> p.getStatus().getContainerStatuses() != null
                && !p.getStatus().getContainerStatuses().isEmpty(), 10, TimeUnit.SECONDS);
        ContainerState state = pending.getStatus().getContainerStatuses().get(0).getState();
        assertThat(pending.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(state.getWaiting().getReason()).isEqualTo("CreateContainerConfigError");
        assertThat(state.getWaiting().getMessage()).isEqualTo("secret \"later\" not found");
        assertThatThrownBy(waits::getLog).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(400);
            assertThat(e.getStatus().getReason()).isEqualTo("BadRequest");
            assertThat(e.getStatus().getMessage()).isEqualTo("container \"main\" in pod \"waits\" is waiting to start:"
                    + " CreateContainerConfigError");
        });

        k8s.putSecret(ns, "later", Map.of("X", "1"));
        assertThat(waits.waitUntilCondition(FakeKubernetesTest::ended, 10, TimeUnit.SECONDS).getStatus().getPhase())
                .isEqualTo("Succeeded");
        assertThat(waits.getLog()).isEqualTo("started\n");
    }

    @Test
    void execRunsInThePodAndReportsItsExitCode() throws Exception {
        String ns = namespace();
        client.pods().inNamespace(ns).resource(pod("box", List.of("/bin/sleep", "30"), false)).create();
        PodResource box = client.pods().inNamespace(ns).withName("box");
        box.waitUntilCondition(p -> "Running".equals(p.getStatus().getPhase()), 10, TimeUnit.SECONDS);

        ByteArrayOutputStream out = new SyncBytes();
        ByteArrayOutputStream err = new SyncBytes();
        try (ExecWatch exec = box.writingOutput(out).writingError(err)
                .exec("/bin/sh", "-c", "id -u; ls /proc | grep -c '^[0-9]'; echo oops >&2; exit 4")) {
            assertThat(exec.exitCode().get(10, TimeUnit.SECONDS)).isEqualTo(4);
        }
        await(() -> err.toString().equals("oops\n"), () -> "stderr " + err + ", stdout " + out);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo(Long.toString(Kubelet.DEFAULT_UID));
        assertThat(Integer.parseInt(lines.get(1).trim())).isBetween(2, 10);

        ByteArrayOutputStream echoed = new SyncBytes();
        try (ExecWatch exec = box.redirectingInput().writingOutput(echoed).exec("/bin/cat")) {
            exec.getInput().write("via stdin\n".getBytes(StandardCharsets.UTF_8));
            exec.getInput().flush();
            await(() -> echoed.toString().equals("via stdin\n"));
        }
        try (ExecWatch ok = box.writingOutput(new SyncBytes()).exec("/bin/true")) {
            assertThat(ok.exitCode().get(10, TimeUnit.SECONDS)).isZero();
        }
        box.withGracePeriod(0).delete();
    }

    @Test
    void killPodIsExit137ErrorAndMarkOomKilledIsExit137OomKilled() {
        String ns = namespace();
        for (String name : List.of("killed", "oom")) {
            client.pods().inNamespace(ns).resource(pod(name, List.of("/bin/sleep", "30"), false)).create();
            client.pods().inNamespace(ns).withName(name)
                    .waitUntilCondition(p -> "Running".equals(p.getStatus().getPhase()), 10, TimeUnit.SECONDS);
        }
        assertThat(k8s.killPod(ns, "killed")).isTrue();
        assertThat(k8s.markOomKilled(ns, "oom")).isTrue();
        Pod killed = client.pods().inNamespace(ns).withName("killed").waitUntilCondition(FakeKubernetesTest::ended,
                10, TimeUnit.SECONDS);
        Pod oom = client.pods().inNamespace(ns).withName("oom").waitUntilCondition(FakeKubernetesTest::ended,
                10, TimeUnit.SECONDS);
        ContainerStateTerminated k = killed.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        ContainerStateTerminated o = oom.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertThat(k.getExitCode()).as(k8sLog(ns, "killed")).isEqualTo(137);
        assertThat(k.getReason()).isEqualTo("Error");
        assertThat(killed.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(o.getExitCode()).as(k8sLog(ns, "oom")).isEqualTo(137);
        assertThat(o.getReason()).isEqualTo("OOMKilled");
        assertThat(oom.getStatus().getMessage()).contains("simulated");
    }

    @Test
    void httpWatchesAndInformersSeeTheSameEvents() throws Exception {
        String ns = namespace();
        List<String> overHttp = new CopyOnWriteArrayList<>();
        List<String> informed = new CopyOnWriteArrayList<>();
        try (KubernetesClient http = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                        .withMasterUrl(k8s.masterUrl()).withOauthToken("t").withOnlyHttpWatches(true).build()).build();
                Watch watch = http.pods().inNamespace(ns).watch(new Recorder(
                        p -> overHttp.add(p.getMetadata().getName() + ":" + p.getStatus().getPhase()),
                        name -> overHttp.add(name + ":DELETED")));
                var informer = client.pods().inNamespace(ns).inform(new ResourceEventHandler<Pod>() {
                    @Override
                    public void onAdd(Pod pod) {
                        informed.add("add " + pod.getMetadata().getName());
                    }

                    @Override
                    public void onUpdate(Pod before, Pod after) {
                    }

                    @Override
                    public void onDelete(Pod pod, boolean finalStateUnknown) {
                        informed.add("delete " + pod.getMetadata().getName());
                    }
                })) {
            client.pods().inNamespace(ns).resource(pod("brief", List.of("/bin/sh", "-c", "exit 0"), false)).create();
            client.pods().inNamespace(ns).withName("brief").waitUntilCondition(FakeKubernetesTest::ended, 10,
                    TimeUnit.SECONDS);
            client.pods().inNamespace(ns).withName("brief").delete();
            await(() -> overHttp.contains("brief:DELETED") && informed.contains("delete brief"));
            assertThat(overHttp).startsWith("brief:Pending").contains("brief:Succeeded");
            assertThat(informed).containsExactly("add brief", "delete brief");
        }
        assertThat(k8s.requests()).anySatisfy(r -> {
            assertThat(r.param("watch")).isEqualTo("true");
            assertThat(r.websocket()).isFalse();
        }).anySatisfy(r -> {
            assertThat(r.param("watch")).isEqualTo("true");
            assertThat(r.websocket()).isTrue();
        });
    }

    @Test
    void whatTheBotsRoleDoesNotGrantIsForbidden() {
        String ns = namespace();
        // fabric8 turns withLabel(..).delete() into a deletecollection, which the contract's Role does not grant
        assertThatThrownBy(() -> client.pods().inNamespace(ns).withLabel("claude-bridge/pod-of", "x").delete())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getStatus().getMessage()).contains("cannot deletecollection resource \"pods\"");
                });
        assertThatThrownBy(() -> client.pods().inAnyNamespace().list())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }

    @Test
    void closeKillsEveryPodProcessDeletedOnesToo() {
        String marker = "30." + ProcessHandle.current().pid(); // a sleep argument no other process has
        try (FakeKubernetes own = FakeKubernetes.start(temp.resolve("own-claims"));
                KubernetesClient c = new KubernetesClientBuilder().withConfig(own.config()).build()) {
            for (String name : List.of("kept", "forgotten")) {
                c.pods().inNamespace("n").resource(pod(name, List.of("/bin/sleep", marker), false)).create();
                c.pods().inNamespace("n").withName(name)
                        .waitUntilCondition(p -> "Running".equals(p.getStatus().getPhase()), 10, TimeUnit.SECONDS);
            }
            assertThat(sleepers(marker)).hasSize(2);
            c.pods().inNamespace("n").withName("forgotten").withGracePeriod(0).delete();
        }
        assertThat(sleepers(marker)).isEmpty();
    }

    private static List<ProcessHandle> sleepers(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.isAlive() && p.info().arguments()
                .map(a -> Arrays.asList(a).contains(marker)).orElse(false)).toList();
    }

    @Test
    void unknownPathsAndMissingTokensGetStatusObjects() throws Exception {
        HttpClient http = client.getHttpClient();
        HttpResponse<String> unknown = http.sendAsync(http.newHttpRequestBuilder()
                .uri(URI.create(k8s.masterUrl() + "/api/v1/namespaces/x/configmaps")).build(), String.class)
                .get(10, TimeUnit.SECONDS);
        assertThat(unknown.code()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"kind\":\"Status\"", "\"reason\":\"NotFound\"");
        assertThat(client.pods().inNamespace("nowhere").withName("nothing").get()).isNull();
        assertThat(client.getKubernetesVersion().getMajor()).isEqualTo("1");
        try (KubernetesClient viaFacade = new KubernetesClientBuilder().withConfig(k8s.config()).build()) {
            assertThat(viaFacade.pods().inNamespace("nowhere").list().getItems()).isEmpty();
            // names are checked as the API server checks them
            assertThatThrownBy(() -> viaFacade.pods().inNamespace("x").resource(pod("Not_A_Name", List.of("/bin/true"),
                    false)).create()).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(422);
                        assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
                    });
        }

        try (KubernetesClient anonymous = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                io.fabric8.kubernetes.client.Config.empty()).withMasterUrl(k8s.masterUrl()).build()).build()) {
            assertThatThrownBy(() -> anonymous.pods().inNamespace("x").list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode())
                            .isEqualTo(401));
        }
    }

    // ---- helpers

    private static String namespace() {
        return "t" + NAMESPACES.incrementAndGet();
    }

    private static Pod pod(String name, List<String> command, boolean stdin) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withTerminationGracePeriodSeconds(5L)
                .addToContainers(new ContainerBuilder().withName("main").withImage("busybox:1.37")
                        .withCommand(command).withStdin(stdin).withStdinOnce(false).withTty(false).build())
                .endSpec().build();
    }

    private static PersistentVolumeClaim claim(String name) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name)
                .addToLabels("claude-bridge/session", name).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build();
    }

    private static void withClaim(Pod pod, String claim, String mountPath, long uid) {
        pod.getSpec().setVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("session")
                .withNewPersistentVolumeClaim(claim, false).build()));
        pod.getSpec().getContainers().get(0).setVolumeMounts(List.of(
                new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("session").withMountPath(mountPath)
                        .build()));
        pod.getSpec().setSecurityContext(new io.fabric8.kubernetes.api.model.PodSecurityContextBuilder()
                .withRunAsUser(uid).withRunAsGroup(uid).build());
    }

    private static void withTmp(Pod pod) {
        List<io.fabric8.kubernetes.api.model.Volume> volumes = new ArrayList<>(pod.getSpec().getVolumes());
        volumes.add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("tmp").withNewEmptyDir()
                .withSizeLimit(new Quantity("64Mi")).endEmptyDir().build());
        pod.getSpec().setVolumes(volumes);
        List<io.fabric8.kubernetes.api.model.VolumeMount> mounts = new ArrayList<>(
                pod.getSpec().getContainers().get(0).getVolumeMounts());
        mounts.add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("tmp").withMountPath("/tmp")
                .build());
        pod.getSpec().getContainers().get(0).setVolumeMounts(mounts);
    }

    private static boolean ended(Pod p) {
        return p != null && ("Succeeded".equals(p.getStatus().getPhase()) || "Failed".equals(p.getStatus().getPhase()));
    }

    private static String k8sLog(String ns, String name) {
        return client.pods().inNamespace(ns).withName(name).getLog();
    }

    private static ContainerStateTerminated terminated(List<Pod> seen, String name) {
        for (int i = seen.size() - 1; i >= 0; i--) {
            Pod p = seen.get(i);
            if (p.getMetadata().getName().equals(name) && p.getStatus().getContainerStatuses() != null
                    && !p.getStatus().getContainerStatuses().isEmpty()
                    && p.getStatus().getContainerStatuses().get(0).getState().getTerminated() != null) {
                return p.getStatus().getContainerStatuses().get(0).getState().getTerminated();
            }
        }
        throw new AssertionError("no terminated state for " + name + " in " + seen.size() + " events");
    }

    private static int handshakeCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.fabric8.kubernetes.client.http.WebSocketHandshakeException h
                    && h.getResponse() != null) {
                return h.getResponse().code();
            }
        }
        return -1;
    }

    private static String chain(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            s.append(" <- ").append(t);
            if (t instanceof KubernetesClientException k) {
                s.append(" code ").append(k.getCode()).append(" status ").append(k.getStatus());
            }
        }
        return s.toString();
    }

    private static List<String> names(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getName()).toList();
    }

    private static org.assertj.core.data.TemporalUnitOffset within(Duration d) {
        return new org.assertj.core.data.TemporalUnitWithinOffset(d.toMillis(), ChronoUnit.MILLIS);
    }

    /** Waits for a condition with a deadline (polling, on the test thread). */
    private static void await(BooleanSupplier condition) {
        await(condition, () -> "");
    }

    private static void await(BooleanSupplier condition, java.util.function.Supplier<String> state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s " + state.get());
            }
            Mono.delay(Duration.ofMillis(20)).block();
        }
    }

    /** A byte sink that the client's threads write and the test reads. */
    private static final class SyncBytes extends ByteArrayOutputStream {
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
        }

        @Override
        public synchronized String toString() {
            return super.toString(StandardCharsets.UTF_8);
        }
    }

    /** A watcher that hands on each pod event, and the names of deleted pods. */
    private record Recorder(java.util.function.Consumer<Pod> onPod, java.util.function.Consumer<String> onDeleted)
            implements Watcher<Pod> {
        Recorder(java.util.function.Consumer<Pod> onPod) {
            this(onPod, name -> { });
        }

        @Override
        public void eventReceived(Action action, Pod pod) {
            onPod.accept(pod);
            if (action == Action.DELETED) {
                onDeleted.accept(pod.getMetadata().getName());
            }
        }

        @Override
        public void onClose(WatcherException cause) {
        }
    }
}
