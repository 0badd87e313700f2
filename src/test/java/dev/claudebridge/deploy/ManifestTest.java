package dev.claudebridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudebridge.config.BridgeConfig;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1EnvFromSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code k8s/} rendered with {@code kubectl kustomize}, every object parsed strictly by the Kubernetes models, and the
 * wiring checked against the app: settings, ops port and probe paths, the data volume, the drain and memory (issue 6,
 * docs/architecture.md §3.11, §3.12, §5).
 */
class ManifestTest {

    static final int OPS_PORT = 8081;
    // docs/architecture.md §5 says about 160 MB per live CLI; 195 MiB was measured (BENCHMARKS.md, issue 6), so 200Mi.
    static final long CLI_MEMORY = 200L << 20;

    static List<Object> objects;
    static V1StatefulSet statefulSet;
    static V1ConfigMap configMap;
    static V1Secret secret;
    static V1Service service;
    static V1Namespace namespace;

    @BeforeAll
    static void render() throws Exception {
        objects = Kube.parseAll(Kube.render(Repo.path("k8s")));
        statefulSet = one(V1StatefulSet.class);
        configMap = one(V1ConfigMap.class);
        secret = one(V1Secret.class);
        service = one(V1Service.class);
        namespace = one(V1Namespace.class);
    }

    // --- strictness of the parse ---------------------------------------------------------------------------------

    private static final String SMALL_STATEFULSET = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: probe
            spec:
              %s: 1
              serviceName: probe
              selector:
                matchLabels: {app: probe}
              template:
                metadata:
                  labels: {app: probe}
                spec:
                  containers:
                    - name: probe
                      image: probe:1
                      %s: IfNotPresent
            """;

    @Test
    void theParseRejectsAMisspelledFieldThatKustomizePassesThrough(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kustomization.yaml"), "resources:\n  - statefulset.yaml\n");

        Files.writeString(dir.resolve("statefulset.yaml"), SMALL_STATEFULSET.formatted("replicas", "imagePullPolicy"));
        assertThat(Kube.parseAll(Kube.render(dir))).singleElement().isInstanceOfSatisfying(V1StatefulSet.class,
                s -> assertThat(s.getSpec().getReplicas()).isEqualTo(1));

        // kubectl kustomize renders the typo without a word; the models refuse it.
        Files.writeString(dir.resolve("statefulset.yaml"), SMALL_STATEFULSET.formatted("replcas", "imagePullPolicy"));
        String rendered = Kube.render(dir);
        assertThat(rendered).contains("replcas: 1");
        assertThatThrownBy(() -> Kube.parseAll(rendered))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replcas");

        // Deep inside the pod template too.
        Files.writeString(dir.resolve("statefulset.yaml"), SMALL_STATEFULSET.formatted("replicas", "imagePullPolcy"));
        String deep = Kube.render(dir);
        assertThatThrownBy(() -> Kube.parseAll(deep))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("imagePullPolcy");
    }

    @Test
    void kindsAreTheExpectedOnesAllInTheNamespace() {
        assertThat(objects).hasSize(6);
        String ns = namespace.getMetadata().getName();
        assertThat(Stream.of(statefulSet.getMetadata(), configMap.getMetadata(), secret.getMetadata(),
                service.getMetadata(), one(V1NetworkPolicy.class).getMetadata())).allSatisfy(m -> assertThat(m.getNamespace()).isEqualTo(ns));
    }

    // --- settings -----------------------------------------------------------------------------------------------

    @Test
    void everyVariableTheManifestsSetIsASettingOrACliName() {
        Set<String> settings = Wiring.settings();
        assertThat(settings).contains("DISCORD_TOKEN", "OPS_PORT", "DATA_DIR", "CLAUDE_CONFIG_DIR", "MAX_LIVE_CLIS",
                "DRAIN_TIMEOUT", "WORKSPACE_ROOT");
        List<String> passthrough = passthrough();
        Map<String, String> env = podEnvironment();
        assertThat(env).isNotEmpty();
        assertThat(env.keySet()).allSatisfy(name -> assertThat(Wiring.isSettingOrCliName(name, passthrough))
                .as("%s is set by k8s/ but is neither a setting BridgeConfig reads nor a name the CLI gets", name)
                .isTrue());
        // The passthrough list names only variables the pod actually has.
        assertThat(env.keySet()).containsAll(passthrough);
    }

    @Test
    void theConfigMapIsAcceptedByTheAppsOwnConfigParser(@TempDir Path workspace) {
        BridgeConfig config = appConfig(workspace);
        assertThat(config.opsPort()).isEqualTo(OPS_PORT);
        assertThat(config.dataDir()).isEqualTo(Path.of("/data"));
        assertThat(config.claudeConfigDir()).isEqualTo(Path.of("/data/claude"));
    }

    @Test
    void secretsAreATemplateAndStayOutOfTheConfigMap() {
        Map<String, String> values = new LinkedHashMap<>();
        if (secret.getStringData() != null) {
            values.putAll(secret.getStringData());
        }
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> values.put(k, new String(v)));
        }
        assertThat(values).containsKey("DISCORD_TOKEN");
        assertThat(values.keySet()).containsAnyOf("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN");
        assertThat(values.values()).as("the Secret is a template: no real values").allSatisfy(v -> assertThat(v).isBlank());
        assertThat(configMap.getData().keySet())
                .doesNotContain("DISCORD_TOKEN", "ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "DATABASE_URL");
    }

    // --- ops endpoint -----------------------------------------------------------------------------------------

    @Test
    void probesAndServiceUseTheOpsEndpoint() {
        V1Container bot = bot();
        assertThat(Integer.parseInt(configMap.getData().get("OPS_PORT"))).isEqualTo(OPS_PORT);
        assertThat(probe(bot, bot.getLivenessProbe()).getPath()).isEqualTo("/healthz");
        assertThat(port(bot, probe(bot, bot.getLivenessProbe()).getPort())).isEqualTo(OPS_PORT);
        assertThat(probe(bot, bot.getReadinessProbe()).getPath()).isEqualTo("/readyz");
        assertThat(port(bot, probe(bot, bot.getReadinessProbe()).getPort())).isEqualTo(OPS_PORT);
        if (bot.getStartupProbe() != null) {
            assertThat(probe(bot, bot.getStartupProbe()).getPath()).isEqualTo("/healthz");
            assertThat(port(bot, probe(bot, bot.getStartupProbe()).getPort())).isEqualTo(OPS_PORT);
        }

        V1ServicePort metrics = service.getSpec().getPorts().stream().filter(p -> p.getPort() == OPS_PORT)
                .findFirst().orElseThrow(() -> new AssertionError("the Service has no port " + OPS_PORT));
        assertThat(port(bot, metrics.getTargetPort())).isEqualTo(OPS_PORT);
        assertThat(service.getSpec().getSelector()).isNotEmpty();
        assertThat(statefulSet.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(statefulSet.getSpec().getServiceName()).isEqualTo(service.getMetadata().getName());
    }

    // --- data volume --------------------------------------------------------------------------------------------

    @Test
    void theDatabaseAndTheWorkspacesAreOnVolumesOfTheirOwn() {
        assertThat(statefulSet.getSpec().getReplicas()).isEqualTo(1);
        Map<String, V1PersistentVolumeClaim> claims = new HashMap<>();
        statefulSet.getSpec().getVolumeClaimTemplates().forEach(c -> claims.put(c.getMetadata().getName(), c));
        assertThat(claims).containsOnlyKeys("data", "workspace");
        claims.values().forEach(c -> assertThat(c.getSpec().getResources().getRequests()).containsKey("storage"));

        Map<String, String> env = podEnvironment();
        Path dataDir = Path.of(env.get("DATA_DIR"));
        Path claudeConfig = Path.of(env.get("CLAUDE_CONFIG_DIR"));
        Path workspace = Path.of(env.get("WORKSPACE_ROOT"));
        assertThat(claudeConfig).startsWithRaw(dataDir).isNotEqualTo(dataDir);
        Path dataMount = Path.of(mountOf(bot(), "data").getMountPath());
        Path workspaceMount = Path.of(mountOf(bot(), "workspace").getMountPath());
        assertThat(dataMount).isEqualTo(dataDir);
        assertThat(workspace).as("the workspaces are on their own volume").startsWithRaw(workspaceMount);
        assertThat(workspace.startsWith(dataDir) || dataDir.startsWith(workspaceMount)).isFalse();
        assertThat(Path.of(env.get("CLI_TMP_DIR"))).as("CLI scratch off the database's volume")
                .startsWithRaw(Path.of(mountOf(bot(), "tmp").getMountPath()));
        assertThat(mountOf(bot(), "data").getReadOnly()).isNotEqualTo(Boolean.TRUE);

        // The image agrees: same data directory, CLI state inside it.
        Map<String, String> image = ParsedDockerfile.parse(Repo.read("Dockerfile")).last().env();
        assertThat(image).containsEntry("DATA_DIR", dataDir.toString())
                .containsEntry("CLAUDE_CONFIG_DIR", claudeConfig.toString());

        // New volumes are empty: something must create WORKSPACE_ROOT (BridgeConfig requires an existing directory),
        // the CLI's config directory, HOME and the scratch directory before the bot starts.
        List<V1Container> init = Objects.requireNonNullElse(statefulSet.getSpec().getTemplate().getSpec()
                .getInitContainers(), List.of());
        assertThat(init).anySatisfy(c -> {
            assertThat(c.getCommand()).contains("mkdir", workspace.toString(), claudeConfig.toString(),
                    env.get("HOME"), env.get("CLI_TMP_DIR"));
            assertThat(Path.of(mountOf(c, "data").getMountPath())).isEqualTo(dataDir);
            assertThat(Path.of(mountOf(c, "workspace").getMountPath())).isEqualTo(workspaceMount);
        });
    }

    @Test
    void theRootFilesystemIsReadOnlyAndWhatIsWrittenBesideTheVolumesIsBounded() {
        V1PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        List<V1Container> containers = new ArrayList<>(pod.getContainers());
        containers.addAll(pod.getInitContainers());
        assertThat(containers).allSatisfy(c -> assertThat(c.getSecurityContext().getReadOnlyRootFilesystem())
                .as(c.getName()).isTrue());
        var tmp = pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow();
        assertThat(tmp.getEmptyDir().getSizeLimit()).isNotNull();
        assertThat(Path.of(mountOf(bot(), "tmp").getMountPath())).isEqualTo(Path.of("/tmp"));
        assertThat(Path.of(podEnvironment().get("HOME"))).startsWithRaw(Path.of("/tmp"));
        Quantity limit = bot().getResources().getLimits().get("ephemeral-storage");
        assertThat(limit).as("an ephemeral-storage limit").isNotNull();
        assertThat(limit.getNumber()).isGreaterThan(tmp.getEmptyDir().getSizeLimit().getNumber());
        assertThat(bot().getResources().getRequests()).containsKey("ephemeral-storage");
    }

    @Test
    void onlyTheMonitoringNamespaceReachesTheOpsPort() {
        V1NetworkPolicy policy = one(V1NetworkPolicy.class);
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(statefulSet.getSpec().getSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort())
                    .isEqualTo(new IntOrString("ops")));
            assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
                assertThat(peer.getIpBlock()).isNull();
                assertThat(peer.getPodSelector()).isNull();
                assertThat(peer.getNamespaceSelector().getMatchLabels())
                        .containsExactly(Map.entry("kubernetes.io/metadata.name", "monitoring"));
            });
        });
        assertThat(bot().getPorts()).extracting(V1ContainerPort::getName).containsExactly("ops");
    }

    // --- drain, memory, security ----------------------------------------------------------------------------------

    @Test
    void theDrainFinishesInsideTheGracePeriod(@TempDir Path workspace) {
        V1PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
        assertThat(configMap.getData()).containsKey("DRAIN_TIMEOUT");
        BridgeConfig config = appConfig(workspace);  // also checks the stop sequence fits in DRAIN_TIMEOUT
        assertThat(config.drainTimeout()).isLessThan(Duration.ofSeconds(pod.getTerminationGracePeriodSeconds()));
    }

    @Test
    void memoryCoversEveryLiveCliPlusTheJvm(@TempDir Path workspace) {
        int maxLiveClis = appConfig(workspace).maxLiveClis();
        assertThat(configMap.getData()).containsKey("MAX_LIVE_CLIS");
        long jvm = 2 * DockerfileTest.runtimeMaxHeapBytes();  // heap plus as much again off-heap
        BigDecimal needed = BigDecimal.valueOf(maxLiveClis * CLI_MEMORY + jvm);

        Map<String, Quantity> limits = bot().getResources().getLimits();
        Map<String, Quantity> requests = bot().getResources().getRequests();
        assertThat(limits).containsKeys("memory", "cpu");
        assertThat(requests).containsKeys("memory", "cpu");
        assertThat(limits.get("memory").getNumber()).as("memory limit vs %d CLIs x 200Mi + JVM %d", maxLiveClis, jvm)
                .isGreaterThanOrEqualTo(needed);
        assertThat(requests.get("memory").getNumber()).as("memory request").isGreaterThanOrEqualTo(needed)
                .isLessThanOrEqualTo(limits.get("memory").getNumber());
        // Not wildly oversized either: MAX_LIVE_CLIS is set to match the limit.
        assertThat(limits.get("memory").getNumber())
                .isLessThan(needed.add(BigDecimal.valueOf(CLI_MEMORY)));
    }

    @Test
    void runsAsTheImagesNonRootUserWithNoPrivileges() {
        V1PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        V1PodSecurityContext podSecurity = pod.getSecurityContext();
        assertThat(podSecurity.getRunAsNonRoot()).isTrue();
        assertThat(podSecurity.getRunAsUser()).isEqualTo((long) DockerfileTest.runtimeUid()).isPositive();
        assertThat(podSecurity.getFsGroup()).isNotNull().isPositive();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getEnableServiceLinks()).as("no injected Service variables").isFalse();
        List<V1Container> containers = new ArrayList<>(pod.getContainers());
        containers.addAll(Objects.requireNonNullElse(pod.getInitContainers(), List.of()));
        assertThat(containers).allSatisfy(c -> {
            V1SecurityContext security = c.getSecurityContext();
            assertThat(security.getAllowPrivilegeEscalation()).isFalse();
            assertThat(security.getCapabilities().getDrop()).contains("ALL");
            assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
            assertThat(security.getRunAsUser()).as("no container overrides the user").isNull();
        });
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private static <T> T one(Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as("objects of kind %s", type.getSimpleName()).hasSize(1);
        return found.getFirst();
    }

    private static V1Container bot() {
        List<V1Container> containers = statefulSet.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.getFirst();
    }

    /** Every variable the bot's container gets from the manifests: env, and the keys of envFrom sources. */
    private static Map<String, String> podEnvironment() {
        V1Container bot = bot();
        Map<String, String> env = new LinkedHashMap<>();
        for (V1EnvFromSource from : Objects.requireNonNullElse(bot.getEnvFrom(), List.<V1EnvFromSource>of())) {
            assertThat(from.getPrefix()).isNull();
            if (from.getConfigMapRef() != null) {
                assertThat(from.getConfigMapRef().getName()).isEqualTo(configMap.getMetadata().getName());
                env.putAll(configMap.getData());
            }
            if (from.getSecretRef() != null) {
                assertThat(from.getSecretRef().getName()).isEqualTo(secret.getMetadata().getName());
                Objects.requireNonNullElse(secret.getStringData(), Map.<String, String>of()).keySet()
                        .forEach(k -> env.put(k, ""));
                Objects.requireNonNullElse(secret.getData(), Map.<String, byte[]>of()).keySet()
                        .forEach(k -> env.put(k, ""));
            }
        }
        for (V1EnvVar var : Objects.requireNonNullElse(bot.getEnv(), List.<V1EnvVar>of())) {
            env.put(var.getName(), Objects.requireNonNullElse(var.getValue(), ""));
        }
        return env;
    }

    private static List<String> passthrough() {
        String names = podEnvironment().getOrDefault("CLAUDE_ENV_PASSTHROUGH", "");
        return Stream.of(names.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** BridgeConfig built from the ConfigMap and Secret, with the blanks an operator fills filled with test values. */
    private static BridgeConfig appConfig(Path workspace) {
        Map<String, String> env = new HashMap<>(podEnvironment());
        Map<String, String> filled = Map.of("DISCORD_TOKEN", "test-token", "ANTHROPIC_API_KEY", "test-key",
                "DISCORD_MAIN_CHANNEL_ID", "100000000000000001", "ALLOWED_USER_IDS", "100000000000000002");
        filled.forEach((k, v) -> env.merge(k, v, (old, fill) -> old.isBlank() ? fill : old));
        assertThat(Path.of(env.get("WORKSPACE_ROOT"))).isAbsolute();
        env.put("WORKSPACE_ROOT", workspace.toString());  // /data/workspace exists only in the pod
        return BridgeConfig.fromEnv(env);
    }

    private static V1HTTPGetAction probe(V1Container container, V1Probe probe) {
        assertThat(probe).as("a probe of %s", container.getName()).isNotNull();
        assertThat(probe.getHttpGet()).isNotNull();
        return probe.getHttpGet();
    }

    /** A port number, or a container port's name, resolved against the container. */
    private static int port(V1Container container, IntOrString port) {
        if (port.isInteger()) {
            return port.getIntValue();
        }
        return container.getPorts().stream().filter(p -> port.getStrValue().equals(p.getName()))
                .map(V1ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrValue()));
    }

    private static V1VolumeMount mountOf(V1Container container, String volume) {
        List<V1VolumeMount> mounts = Objects.requireNonNullElse(container.getVolumeMounts(), List.of());
        Set<String> names = new TreeSet<>();
        mounts.forEach(m -> names.add(m.getName()));
        return mounts.stream().filter(m -> m.getName().equals(volume)).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " does not mount " + volume + ": " + names));
    }
}
