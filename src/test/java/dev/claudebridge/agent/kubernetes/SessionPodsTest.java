package dev.claudebridge.agent.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.agent.process.CliCommand;
import dev.claudebridge.config.KubernetesConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pod a session's CLI runs in: what the operator's template decides (image, resources, placement, security) is
 * kept; what isolates the session (no service account token, no service links, stdin kept open, only the CLI's
 * environment and the model Secret, the claim) is the bot's and cannot be templated away. The wrapper that keeps the
 * CLI's stderr out of the log is run here with a stand-in CLI.
 */
final class SessionPodsTest {

    private static final String TEMPLATE = """
            apiVersion: v1
            kind: Pod
            metadata:
              labels: {team: ai}
            spec:
              runtimeClassName: gvisor
              serviceAccountName: powerful
              automountServiceAccountToken: true
              hostNetwork: true
              nodeSelector: {pool: sessions}
              tolerations: [{key: sessions, operator: Exists, effect: NoSchedule}]
              securityContext: {runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001}
              containers:
                - name: anything
                  image: registry.example/claude-bridge:1.2.3
                  resources: {limits: {memory: 512Mi}, requests: {memory: 256Mi, cpu: 100m}}
                  securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
                  env: [{name: SMUGGLED, value: "from the template"}]
            """;

    private final KubernetesConfig config = new KubernetesConfig("sessions", Path.of("/unused"), "model-keys", "5Gi",
            Optional.of("fast"), "/session", "/app/claude");
    private final SessionPods pods = new SessionPods(config,
            new KubernetesSerialization().unmarshal(TEMPLATE, Pod.class));

    @Test
    void thePodKeepsTheTemplatesPlacementAndLimitsButNotItsPowers() {
        CliCommand command = CliCommand.of("/local/claude", Path.of("/session/work/app"), Map.of())
                .withModel("opus").withResume("conv-1");
        Pod pod = pods.pod("claude-session-k-1", "k", command, "/session/work/app",
                Map.of("LANG", "C.UTF-8", "ANTHROPIC_BASE_URL", "http://model"), Map.of("claude-bridge/thread", "t1"));

        assertThat(pod.getSpec().getRuntimeClassName()).isEqualTo("gvisor");
        assertThat(pod.getSpec().getNodeSelector()).containsEntry("pool", "sessions");
        assertThat(pod.getSpec().getTolerations()).hasSize(1);
        assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getMetadata().getLabels()).containsEntry("team", "ai")
                .containsEntry(SessionPods.SESSION, "k").containsEntry(SessionPods.POD_OF, "k");
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSpec().getServiceAccountName()).isNull();
        assertThat(pod.getSpec().getHostNetwork()).isFalse();
        assertThat(pod.getSpec().getEnableServiceLinks()).isFalse();
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");

        Container c = pod.getSpec().getContainers().get(0);
        assertThat(pod.getSpec().getContainers()).hasSize(1);
        assertThat(c.getName()).isEqualTo("claude");
        assertThat(c.getImage()).isEqualTo("registry.example/claude-bridge:1.2.3");
        assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("512Mi");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getStdin()).isTrue();
        assertThat(c.getStdinOnce()).isFalse();
        assertThat(c.getTty()).isFalse();
        assertThat(c.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
        assertThat(c.getCommand().subList(0, 2)).containsExactly("/bin/sh", "-c");
        assertThat(c.getCommand().get(3)).as("the image's CLI, not the bot's path").isEqualTo("/app/claude");
        assertThat(c.getCommand()).contains("--resume", "conv-1", "--model", "opus", "--setting-sources")
                .doesNotContain("/local/claude");
        List<String> names = c.getEnv().stream().map(EnvVar::getName).toList();
        assertThat(names).contains("LANG", "ANTHROPIC_BASE_URL", "HOME", "CLAUDE_CONFIG_DIR", "PATH")
                .doesNotContain("SMUGGLED", "ANTHROPIC_API_KEY", "DISCORD_TOKEN");
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("CLAUDE_CONFIG_DIR")).first()
                .extracting(EnvVar::getValue).isEqualTo("/session/config");
        assertThat(c.getEnvFrom()).singleElement().satisfies(e ->
                assertThat(e.getSecretRef().getName()).isEqualTo("model-keys"));
        assertThat(c.getVolumeMounts()).extracting(m -> m.getName() + "=" + m.getMountPath())
                .containsExactly("session=/session", "tmp=/tmp");
        assertThat(pod.getSpec().getVolumes()).hasSize(2);
        assertThat(pod.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
                .isEqualTo("claude-session-k");
        assertThat(pod.getSpec().getVolumes().get(1).getEmptyDir().getSizeLimit().toString()).isEqualTo("1Gi");
    }

    @Test
    void theClaimIsTheSessionsAndKeysAreStableLabels() {
        var claim = pods.claim("abc");
        assertThat(claim.getMetadata().getName()).isEqualTo("claude-session-abc");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
        assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("5Gi");
        assertThat(SessionPods.key("discord", "123")).hasSize(20).matches("[0-9a-f]+")
                .isEqualTo(SessionPods.key("discord", "123")).isNotEqualTo(SessionPods.key("mattermost", "123"));
        assertThat(pods.workDir(".")).isEqualTo("/session/work");
        assertThat(pods.workDir("app/x")).isEqualTo("/session/work/app/x");
    }

    /**
     * The wrapper with a stand-in CLI: stdin reaches it, its stdout is the log, its stderr is not (the log API would
     * merge it) but its last lines are the termination message, its exit code is the container's, and a TERM (the
     * pod's deletion) reaches it.
     */
    @Test
    void theWrapperKeepsStderrOutOfTheLogAndHandsItsTailOn(@TempDir Path dir) throws Exception {
        Path termination = dir.resolve("termination-log");
        String wrapper = SessionPods.WRAPPER.replace(SessionPods.TERMINATION_LOG, termination.toString());
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", wrapper, "/bin/sh", "-c",
                "read line; echo \"got $line\"; echo 'Error: it broke' >&2; exit 3");
        pb.environment().putAll(Map.of("CLAUDE_BRIDGE_STDERR", dir.resolve("stderr.log").toString(),
                "CLAUDE_BRIDGE_WORKDIR", dir.resolve("work").toString(), "CLAUDE_CONFIG_DIR",
                dir.resolve("config").toString(), "HOME", dir.resolve("home").toString(), "CLAUDE_CODE_TMPDIR",
                dir.resolve("tmp").toString()));
        Process p = pb.start();
        p.getOutputStream().write("hello\n".getBytes());
        p.getOutputStream().flush();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(p.getInputStream().readAllBytes())).isEqualTo("got hello\n");
        assertThat(new String(p.getErrorStream().readAllBytes())).isEmpty();
        assertThat(p.exitValue()).isEqualTo(3);
        assertThat(Files.readString(termination)).isEqualTo("Error: it broke\n");
        assertThat(dir.resolve("work")).isDirectory();

        ProcessBuilder trapping = new ProcessBuilder("/bin/sh", "-c", wrapper, "/bin/sh", "-c",
                "trap 'echo bye >&2; exit 7' TERM; echo ready; while :; do sleep 0.1; done");
        trapping.environment().putAll(pb.environment());
        Process q = trapping.start();
        assertThat(new String(q.getInputStream().readNBytes(6))).isEqualTo("ready\n");
        q.destroy(); // SIGTERM to the wrapper, as the kubelet sends it to PID 1
        assertThat(q.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(q.exitValue()).isEqualTo(7);
        assertThat(Files.readString(termination)).isEqualTo("bye\n");
    }
}
