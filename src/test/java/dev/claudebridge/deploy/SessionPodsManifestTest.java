package dev.claudebridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.claudebridge.config.BridgeConfig;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1AppArmorProfile;
import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1EnvFromSource;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1HostPathVolumeSource;
import io.kubernetes.client.openapi.models.V1KeyToPath;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeItem;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyEgressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPort;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimVolumeSource;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1SELinuxOptions;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1SeccompProfile;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1TCPSocketAction;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.openapi.models.V1WindowsSecurityContextOptions;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code k8s/session-pods} component (issue 12, {@code AGENT_RUNTIME=kubernetes}; docs/deploy.md "Session
 * pods"): off by default; rendered by {@code kubectl kustomize} in an overlay that turns it on and parsed strictly, it
 * puts the session pods in a namespace of their own under Pod Security {@code restricted} (the bot's too), gives the
 * bot exactly the rights the contract lists there and nothing elsewhere, keeps the bot's credentials out of that
 * namespace, and bounds what the session pods can reach and take. The names are those of the contract between the
 * runtime, these manifests and the test kit's fake (k8s-contract.md of issue 12).
 */
final class SessionPodsManifestTest {

    private static final String BOT_NAMESPACE = "claude-bridge";
    private static final String SESSION_NAMESPACE = "claude-bridge-sessions";
    private static final String SERVICE_ACCOUNT = "claude-bridge";
    private static final String ROLE = "claude-bridge-sessions";
    private static final String TEMPLATE_CONFIG_MAP = "claude-bridge-session-pod";
    private static final String MODEL_SECRET = "claude-model-credentials";
    private static final List<String> MODEL_KEYS = List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN");

    /** The bot's settings for session pods (the contract's "Settings"). */
    private static final Set<String> SESSION_SETTINGS = Set.of("AGENT_RUNTIME", "SESSION_NAMESPACE",
            "SESSION_POD_TEMPLATE", "SESSION_MODEL_SECRET", "SESSION_CLAIM_SIZE", "SESSION_CLAIM_STORAGE_CLASS",
            "SESSION_MOUNT_PATH", "SESSION_CLAUDE_BIN");

    /** The contract's Role, resource by resource, all in the core API group; a rule added later fails the test. */
    private static final Map<String, Set<String>> CONTRACT_RULES = Map.of(
            "pods", Set.of("get", "list", "watch", "create", "delete"),
            "pods/log", Set.of("get"),
            "pods/attach", Set.of("create", "get"),
            "pods/exec", Set.of("create", "get"),
            "persistentvolumeclaims", Set.of("get", "list", "watch", "create", "delete"));

    /** The labels the bot gives every session pod (the contract's "What the bot makes"). */
    private static final Map<String, String> SESSION_POD_LABELS = Map.of(
            "app.kubernetes.io/managed-by", "claude-bridge",
            "claude-bridge/session", "0123456789abcdef0123",
            "claude-bridge/pod-of", "0123456789abcdef0123");

    /** The fields of the template the bot takes (the contract's SESSION_POD_TEMPLATE); it sets all others itself. */
    private static final Set<String> TEMPLATE_POD_FIELDS = Set.of("containers", "securityContext", "nodeSelector",
            "tolerations", "affinity", "runtimeClassName", "priorityClassName");
    private static final Set<String> TEMPLATE_CONTAINER_FIELDS = Set.of("name", "image", "resources",
            "securityContext");

    private static List<Object> on;
    private static List<Object> off;

    @BeforeAll
    static void render(@TempDir Path overlay) throws Exception {
        on = Kube.parseAll(Kube.render(overlay(overlay, "")));
        off = Kube.parseAll(Kube.render(Repo.path("k8s")));
    }

    /** An overlay of {@code k8s/} with the component on, plus {@code extra} lines of kustomization. */
    private static Path overlay(Path dir, String extra) throws IOException {
        return Kube.overlay(dir, "session-pods", extra);
    }

    // --- on and off ---------------------------------------------------------------------------------------------

    @Test
    void offByDefault() {
        assertThat(all(off, V1ServiceAccount.class)).isEmpty();
        assertThat(all(off, V1Role.class)).isEmpty();
        assertThat(all(off, V1Namespace.class)).extracting(n -> n.getMetadata().getName())
                .containsExactly(BOT_NAMESPACE);
        assertThat(one(off, V1ConfigMap.class).getData().keySet()).doesNotContainAnyElementsOf(SESSION_SETTINGS);
        V1PodSpec bot = one(off, V1StatefulSet.class).getSpec().getTemplate().getSpec();
        assertThat(bot.getServiceAccountName()).isNull();
        assertThat(bot.getAutomountServiceAccountToken()).isFalse();
    }

    /**
     * What the component adds is its own objects and the patches it names; the base's objects are otherwise as they
     * were (the bot's volumes, probes, ephemeral storage, security context, its Service and NetworkPolicy).
     */
    @Test
    void theBaseIsUnchangedButForWhatTheComponentPatches() throws Exception {
        assertThat(on).hasSize(off.size() + 9);

        V1Namespace namespace = V1Namespace.fromJson(named(on, V1Namespace.class, BOT_NAMESPACE).toJson());
        namespace.getMetadata().getLabels().keySet().removeIf(k -> k.startsWith("pod-security.kubernetes.io/"));
        assertThat(namespace).isEqualTo(named(off, V1Namespace.class, BOT_NAMESPACE));

        V1ConfigMap config = V1ConfigMap.fromJson(one(on, V1ConfigMap.class, BOT_NAMESPACE, "claude-bridge-config")
                .toJson());
        Set<String> added = new TreeSet<>(config.getData().keySet());
        added.removeAll(one(off, V1ConfigMap.class).getData().keySet());
        assertThat(SESSION_SETTINGS).as("the settings the component adds are the contract's").containsAll(added);
        assertThat(Wiring.settings()).as("and the bot reads each of them").containsAll(SESSION_SETTINGS);
        config.getData().keySet().removeAll(added);
        assertThat(config).isEqualTo(one(off, V1ConfigMap.class));

        V1Secret secret = V1Secret.fromJson(named(on, V1Secret.class, "claude-bridge-secrets").toJson());
        secret.getStringData().put("ANTHROPIC_API_KEY", "");
        assertThat(secret).isEqualTo(one(off, V1Secret.class));

        assertThat(one(on, V1Service.class)).isEqualTo(one(off, V1Service.class));
        assertThat(named(on, V1NetworkPolicy.class, "claude-bridge")).isEqualTo(one(off, V1NetworkPolicy.class));

        V1StatefulSet before = one(off, V1StatefulSet.class);
        V1StatefulSet after = V1StatefulSet.fromJson(one(on, V1StatefulSet.class).toJson());
        V1PodSpec pod = after.getSpec().getTemplate().getSpec();
        pod.setServiceAccountName(null);
        pod.setAutomountServiceAccountToken(false);
        pod.getVolumes().removeIf(v -> v.getConfigMap() != null
                && TEMPLATE_CONFIG_MAP.equals(v.getConfigMap().getName()));
        V1Container bot = pod.getContainers().getFirst();
        bot.getVolumeMounts().removeIf(m -> m.getMountPath().equals("/etc/claude-bridge"));
        var resources = before.getSpec().getTemplate().getSpec().getContainers().getFirst().getResources();
        bot.getResources().getRequests().put("memory", resources.getRequests().get("memory"));
        bot.getResources().getLimits().put("memory", resources.getLimits().get("memory"));
        assertThat(after).isEqualTo(before);
    }

    // --- namespaces and Pod Security ----------------------------------------------------------------------------

    @Test
    void bothNamespacesEnforceRestricted() {
        assertThat(all(on, V1Namespace.class)).extracting(n -> n.getMetadata().getName())
                .containsExactlyInAnyOrder(BOT_NAMESPACE, SESSION_NAMESPACE);
        assertThat(all(on, V1Namespace.class)).allSatisfy(n -> assertThat(n.getMetadata().getLabels())
                .as(n.getMetadata().getName())
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted")
                .containsEntry("pod-security.kubernetes.io/audit", "restricted")
                .containsEntry("pod-security.kubernetes.io/warn", "restricted"));
    }

    /** The component runs after the base's namespace transformer: each of its objects names its namespace itself. */
    @Test
    void everyObjectIsInTheNamespaceItBelongsTo() {
        Map<String, String> placed = new TreeMap<>();
        for (Object o : on) {
            if (!(o instanceof V1Namespace)) {
                V1ObjectMeta meta = meta(o);
                placed.put(o.getClass().getSimpleName() + " " + meta.getName() + " in " + meta.getNamespace(),
                        meta.getNamespace());
            }
        }
        assertThat(placed.values()).allSatisfy(ns -> assertThat(ns).isIn(BOT_NAMESPACE, SESSION_NAMESPACE));
        assertThat(placed.keySet()).contains(
                "V1ServiceAccount " + SERVICE_ACCOUNT + " in " + BOT_NAMESPACE,
                "V1ConfigMap " + TEMPLATE_CONFIG_MAP + " in " + BOT_NAMESPACE,
                "V1Role " + ROLE + " in " + SESSION_NAMESPACE,
                "V1RoleBinding " + ROLE + " in " + SESSION_NAMESPACE,
                "V1Secret " + MODEL_SECRET + " in " + SESSION_NAMESPACE,
                "V1NetworkPolicy claude-bridge-sessions in " + SESSION_NAMESPACE,
                "V1ResourceQuota claude-bridge-sessions in " + SESSION_NAMESPACE,
                "V1LimitRange claude-bridge-sessions in " + SESSION_NAMESPACE);
    }

    @Test
    void theBotMeetsRestrictedWithAndWithoutTheComponent() {
        for (List<Object> rendered : List.of(off, on)) {
            var template = one(rendered, V1StatefulSet.class).getSpec().getTemplate();
            assertThat(Restricted.violations(template.getMetadata(), template.getSpec())).isEmpty();
        }
    }

    @Test
    void theSessionPodTemplateMeetsRestricted() throws Exception {
        V1Pod pod = sessionPodTemplate();
        assertThat(Restricted.violations(pod.getMetadata(), pod.getSpec())).isEmpty();
        // Also once the bot has added what it sets itself: the claim, and no token.
        pod.getSpec().automountServiceAccountToken(false).addVolumesItem(new V1Volume().name("session")
                .persistentVolumeClaim(new V1PersistentVolumeClaimVolumeSource()
                        .claimName("claude-session-0123456789abcdef0123")));
        assertThat(Restricted.violations(pod.getMetadata(), pod.getSpec())).isEmpty();
        // The claim is made writable for the image's user.
        assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo((long) DockerfileTest.runtimeUid());
        assertThat(pod.getSpec().getSecurityContext().getFsGroup()).isNotNull();
    }

    /** The check above can fail: each thing the standard forbids, done to the template, is reported. */
    @Test
    void theRestrictedCheckRejectsWhatTheStandardForbids() throws Exception {
        Map<String, Consumer<V1Pod>> breaches = new LinkedHashMap<>();
        breaches.put("privileged", p -> context(p).privileged(true));
        breaches.put("allowPrivilegeEscalation", p -> context(p).allowPrivilegeEscalation(null));
        breaches.put("drop ALL", p -> context(p).capabilities(new V1Capabilities().drop(List.of("NET_RAW"))));
        breaches.put("adds capabilities", p -> context(p).getCapabilities().addAddItem("SYS_ADMIN"));
        breaches.put("runAsNonRoot", p -> p.getSpec().getSecurityContext().runAsNonRoot(null));
        breaches.put("runAsUser 0", p -> p.getSpec().getSecurityContext().runAsUser(0L));
        breaches.put("seccomp", p -> p.getSpec().getSecurityContext().seccompProfile(null));
        breaches.put("seccomp ", p -> context(p).seccompProfile(new V1SeccompProfile().type("Unconfined")));
        breaches.put("host namespaces", p -> p.getSpec().hostPID(true));
        breaches.put("volume", p -> p.getSpec().addVolumesItem(new V1Volume().name("host")
                .hostPath(new V1HostPathVolumeSource().path("/"))));
        breaches.put("pod: runAsNonRoot false", p -> p.getSpec().getSecurityContext().runAsNonRoot(false));
        breaches.put("probe or lifecycle host", p -> p.getSpec().getContainers().getFirst().livenessProbe(
                new V1Probe().httpGet(new V1HTTPGetAction().host("10.0.0.1").port(new IntOrString(80)))));
        breaches.put("hostPort", p -> p.getSpec().getContainers().getFirst()
                .addPortsItem(new V1ContainerPort().containerPort(80).hostPort(80)));
        for (var breach : breaches.entrySet()) {
            V1Pod pod = sessionPodTemplate();
            breach.getValue().accept(pod);
            assertThat(Restricted.violations(pod.getMetadata(), pod.getSpec())).as(breach.getKey())
                    .anySatisfy(v -> assertThat(v).contains(breach.getKey().strip()));
        }
    }

    // --- the bot's rights ---------------------------------------------------------------------------------------

    @Test
    void theRoleGrantsExactlyTheContractsVerbsInTheSessionNamespace() {
        V1Role role = one(on, V1Role.class);
        assertThat(role.getMetadata().getName()).isEqualTo(ROLE);
        assertThat(role.getMetadata().getNamespace()).isEqualTo(SESSION_NAMESPACE);
        Map<String, Set<String>> granted = new TreeMap<>();
        for (V1PolicyRule rule : role.getRules()) {
            assertThat(rule.getApiGroups()).as("the core API group only").containsExactly("");
            assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
            assertThat(rule.getResourceNames()).isNullOrEmpty();
            rule.getResources().forEach(r -> granted.computeIfAbsent(r, k -> new TreeSet<>()).addAll(rule.getVerbs()));
        }
        assertThat(granted).isEqualTo(CONTRACT_RULES);
        assertThat(all(on, V1Role.class)).as("one Role, and no ClusterRole (Kube.KINDS has no such kind)")
                .hasSize(1);
    }

    @Test
    void theRoleIsBoundToTheServiceAccountTheBotRunsAs() {
        V1RoleBinding binding = one(on, V1RoleBinding.class);
        assertThat(binding.getMetadata().getNamespace()).isEqualTo(SESSION_NAMESPACE);
        assertThat(binding.getRoleRef().getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(one(on, V1Role.class).getMetadata().getName());
        RbacV1Subject subject = binding.getSubjects().getFirst();
        assertThat(binding.getSubjects()).hasSize(1);
        assertThat(subject.getKind()).isEqualTo("ServiceAccount");
        assertThat(subject.getName()).isEqualTo(SERVICE_ACCOUNT);
        assertThat(subject.getNamespace()).isEqualTo(BOT_NAMESPACE);

        V1ServiceAccount account = one(on, V1ServiceAccount.class);
        assertThat(account.getMetadata().getName()).isEqualTo(subject.getName());
        assertThat(account.getMetadata().getNamespace()).isEqualTo(subject.getNamespace());
        V1StatefulSet statefulSet = one(on, V1StatefulSet.class);
        assertThat(statefulSet.getMetadata().getNamespace()).isEqualTo(subject.getNamespace());
        V1PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo(SERVICE_ACCOUNT);
        assertThat(pod.getAutomountServiceAccountToken()).as("the bot needs its token to call the API").isTrue();
        assertThat(account.getAutomountServiceAccountToken()).as("no other pod gets one by default").isFalse();
    }

    // --- secrets --------------------------------------------------------------------------------------------------

    @Test
    void theSessionNamespaceHoldsTheModelKeyAndNoneOfTheBotsCredentials() {
        List<V1Secret> sessionSecrets = all(on, V1Secret.class).stream()
                .filter(s -> SESSION_NAMESPACE.equals(s.getMetadata().getNamespace())).toList();
        assertThat(sessionSecrets).extracting(s -> s.getMetadata().getName()).containsExactly(MODEL_SECRET);
        assertThat(BridgeConfig.OWN_SECRETS).contains("DISCORD_TOKEN", "DATABASE_URL", "MATTERMOST_TOKEN");
        assertThat(sessionSecrets).allSatisfy(s -> assertThat(keys(s)).doesNotContainAnyElementsOf(
                BridgeConfig.OWN_SECRETS));
        V1Secret model = sessionSecrets.getFirst();
        assertThat(keys(model)).isNotEmpty().isSubsetOf(MODEL_KEYS);
        assertThat(values(model)).as("a template: no real values").allSatisfy(v -> assertThat(v).isBlank());

        // The bot's own Secret, the one its container reads, stays in the bot's namespace, without the model key.
        V1Container bot = one(on, V1StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().getFirst();
        List<String> botSecrets = bot.getEnvFrom().stream().map(V1EnvFromSource::getSecretRef)
                .filter(Objects::nonNull).map(r -> r.getName()).toList();
        assertThat(botSecrets).isNotEmpty();
        for (String name : botSecrets) {
            assertThat(all(on, V1Secret.class)).filteredOn(s -> s.getMetadata().getName().equals(name))
                    .singleElement().satisfies(s -> {
                        assertThat(s.getMetadata().getNamespace()).isEqualTo(BOT_NAMESPACE);
                        assertThat(keys(s)).contains("DISCORD_TOKEN").doesNotContainAnyElementsOf(MODEL_KEYS);
                    });
        }
    }

    // --- the session pod template -------------------------------------------------------------------------------

    @Test
    void theTemplateSetsOnlyWhatTheBotTakesFromIt() throws Exception {
        JsonNode pod = new YAMLMapper().readTree(templateText());
        assertThat(names(pod)).isSubsetOf("apiVersion", "kind", "metadata", "spec");
        assertThat(pod.path("apiVersion").asText() + "/" + pod.path("kind").asText()).isEqualTo("v1/Pod");
        assertThat(names(pod.path("metadata"))).isSubsetOf("labels", "annotations");
        assertThat(names(pod.path("spec"))).isSubsetOf(TEMPLATE_POD_FIELDS);
        assertThat(pod.path("spec").path("containers")).hasSize(1);
        assertThat(names(pod.path("spec").path("containers").get(0))).isSubsetOf(TEMPLATE_CONTAINER_FIELDS)
                .contains("image", "resources", "securityContext");
    }

    @Test
    void theTemplatesImageIsTheBotsImageAsKustomizeRewroteIt() throws Exception {
        String botImage = botImage(on);
        assertThat(botImage).as("k8s/kustomization.yaml's images: applied").isNotEqualTo("claude-bridge");
        assertThat(sessionPodTemplate().getSpec().getContainers().getFirst().getImage()).isEqualTo(botImage);
    }

    /**
     * An overlay that sets the image itself: with the line docs/deploy.md gives, the template follows; without it,
     * kustomize applies the overlay's {@code images:} after the component's replacement, and the template is stale.
     */
    @Test
    void anOverlaysOwnImageReachesTheTemplateThroughImageSync(@TempDir Path with, @TempDir Path without)
            throws Exception {
        String images = """
                images:
                  - name: claude-bridge
                    newName: registry.example.com/team/claude-bridge
                    newTag: "9.9.9"
                """;
        List<Object> synced = Kube.parseAll(Kube.render(overlay(with, images + """
                transformers:
                  - @COMPONENT@/image-sync
                """)));
        assertThat(botImage(synced)).isEqualTo("registry.example.com/team/claude-bridge:9.9.9");
        assertThat(templateImage(synced)).isEqualTo(botImage(synced));

        List<Object> stale = Kube.parseAll(Kube.render(overlay(without, images)));
        assertThat(botImage(stale)).isEqualTo("registry.example.com/team/claude-bridge:9.9.9");
        assertThat(templateImage(stale)).isEqualTo(botImage(on));
    }

    @Test
    void theTemplateSizesEachSessionForTheCli() throws Exception {
        var resources = sessionPodTemplate().getSpec().getContainers().getFirst().getResources();
        for (String kind : List.of("cpu", "memory", "ephemeral-storage")) {
            assertThat(resources.getRequests()).containsKey(kind);
            assertThat(resources.getLimits()).containsKey(kind);
            assertThat(number(resources.getRequests().get(kind))).isLessThanOrEqualTo(
                    number(resources.getLimits().get(kind)));
        }
        assertThat(number(resources.getRequests().get("memory"))).as("the CLI's 200Mi and then some")
                .isGreaterThan(BigDecimal.valueOf(ManifestTest.CLI_MEMORY));
        assertThat(resources.getRequests().get("memory")).as("the node reserves all of it")
                .isEqualTo(resources.getLimits().get("memory"));
    }

    // --- the bot's settings and its mount -----------------------------------------------------------------------

    @Test
    void theBotIsToldWhereSessionsRunAndFindsTheTemplateWhereTheSettingSays() throws Exception {
        Map<String, String> settings = one(on, V1ConfigMap.class, BOT_NAMESPACE, "claude-bridge-config").getData();
        assertThat(settings).containsEntry("AGENT_RUNTIME", "kubernetes")
                .containsEntry("SESSION_NAMESPACE", SESSION_NAMESPACE)
                .containsEntry("SESSION_MODEL_SECRET", MODEL_SECRET)
                .containsKeys("SESSION_POD_TEMPLATE", "SESSION_CLAIM_SIZE", "SESSION_MOUNT_PATH");
        assertThat(Path.of(settings.get("SESSION_MOUNT_PATH"))).isAbsolute();
        assertThat(settings.get("SESSION_CLAUDE_BIN")).as("the CLI's path in the image")
                .isEqualTo(ParsedDockerfile.parse(Repo.read("Dockerfile")).last().env().get("CLAUDE_BIN"));

        Path template = Path.of(settings.get("SESSION_POD_TEMPLATE"));
        V1PodSpec pod = one(on, V1StatefulSet.class).getSpec().getTemplate().getSpec();
        V1VolumeMount mount = pod.getContainers().getFirst().getVolumeMounts().stream()
                .filter(m -> Path.of(m.getMountPath()).equals(template.getParent())).findFirst()
                .orElseThrow(() -> new AssertionError("nothing is mounted at " + template.getParent()));
        assertThat(mount.getSubPath()).as("a whole-directory mount: the kubelet updates it").isNull();
        assertThat(mount.getReadOnly()).isTrue();
        V1Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                .orElseThrow();
        assertThat(volume.getConfigMap().getName()).isEqualTo(TEMPLATE_CONFIG_MAP);
        String file = template.getFileName().toString();
        String key = Objects.requireNonNullElse(volume.getConfigMap().getItems(), List.<V1KeyToPath>of()).stream()
                .filter(i -> i.getPath().equals(file)).map(V1KeyToPath::getKey).findFirst().orElse(file);
        assertThat(one(on, V1ConfigMap.class, BOT_NAMESPACE, TEMPLATE_CONFIG_MAP).getData()).containsKey(key);
    }

    /** The CLIs no longer run in the bot's pod: its memory is the JVM's (twice the heap) and some room, not more. */
    @Test
    void theBotsMemoryIsTheJvmsAlone() {
        var with = one(on, V1StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().getFirst()
                .getResources();
        var without = one(off, V1StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().getFirst()
                .getResources();
        BigDecimal jvm = BigDecimal.valueOf(2 * DockerfileTest.runtimeMaxHeapBytes());
        assertThat(number(with.getLimits().get("memory"))).isGreaterThanOrEqualTo(jvm)
                .isLessThan(jvm.add(BigDecimal.valueOf(2 * ManifestTest.CLI_MEMORY)))
                .isLessThan(number(without.getLimits().get("memory")));
        assertThat(with.getRequests().get("memory")).isEqualTo(with.getLimits().get("memory"));
    }

    // --- network ------------------------------------------------------------------------------------------------

    @Test
    void sessionPodsTakeNoIngressAndReachOnlyDnsAndHttps() {
        V1NetworkPolicy policy = one(on, V1NetworkPolicy.class, SESSION_NAMESPACE, "claude-bridge-sessions");
        assertThat(selects(policy.getSpec().getPodSelector(), SESSION_POD_LABELS)).as("selects the session pods")
                .isTrue();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getIngress()).as("no ingress rule: nothing admitted").isNullOrEmpty();

        Set<String> ports = new TreeSet<>();
        for (V1NetworkPolicyEgressRule rule : policy.getSpec().getEgress()) {
            // An empty `to` is every destination, empty `ports` every port: neither may appear.
            assertThat(rule.getTo()).isNotEmpty();
            assertThat(rule.getPorts()).isNotEmpty();
            rule.getPorts().forEach(p -> {
                assertThat(p.getEndPort()).isNull();
                ports.add(p.getPort() + "/" + p.getProtocol());
            });
            boolean dns = rule.getPorts().stream().allMatch(p -> p.getPort().equals(new IntOrString(53)));
            if (dns) {
                assertThat(rule.getTo()).allSatisfy(peer -> {
                    assertThat(peer.getIpBlock()).as("DNS to the cluster's resolver only").isNull();
                    assertThat(peer.getNamespaceSelector().getMatchLabels())
                            .containsExactly(Map.entry("kubernetes.io/metadata.name", "kube-system"));
                    assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("k8s-app", "kube-dns");
                });
            } else {
                assertThat(rule.getPorts()).extracting(V1NetworkPolicyPort::getPort)
                        .containsOnly(new IntOrString(443));
                assertThat(rule.getTo()).extracting(V1NetworkPolicyPeer::getIpBlock).allSatisfy(block -> {
                    assertThat(block.getCidr()).isEqualTo("0.0.0.0/0");
                    assertThat(block.getExcept()).contains("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                            "169.254.0.0/16");
                });
            }
        }
        assertThat(ports).containsExactlyInAnyOrder("53/UDP", "53/TCP", "443/TCP");
    }

    /** The bot calls the API server now: its own policy must leave egress open (the base restricts ingress only). */
    @Test
    void theBotsOwnPolicyStillLetsItReachTheApiServer() {
        V1NetworkPolicy bot = one(on, V1NetworkPolicy.class, BOT_NAMESPACE, "claude-bridge");
        assertThat(bot.getSpec().getPolicyTypes()).doesNotContain("Egress");
        assertThat(bot.getSpec().getEgress()).isNullOrEmpty();
    }

    // --- bounds -------------------------------------------------------------------------------------------------

    @Test
    void theQuotaBoundsPodsByMaxLiveClisAndCoversEachPodAndClaim() throws Exception {
        V1ResourceQuota quota = one(on, V1ResourceQuota.class);
        assertThat(quota.getMetadata().getNamespace()).isEqualTo(SESSION_NAMESPACE);
        Map<String, Quantity> hard = quota.getSpec().getHard();
        Map<String, String> settings = one(on, V1ConfigMap.class, BOT_NAMESPACE, "claude-bridge-config").getData();
        int maxLiveClis = Integer.parseInt(settings.get("MAX_LIVE_CLIS"));
        int pods = number(hard.get("pods")).intValueExact();
        assertThat(pods).as("MAX_LIVE_CLIS, each with room for a terminating predecessor")
                .isBetween(maxLiveClis, 2 * maxLiveClis);

        var resources = sessionPodTemplate().getSpec().getContainers().getFirst().getResources();
        for (String kind : List.of("cpu", "memory", "ephemeral-storage")) {
            BigDecimal count = BigDecimal.valueOf(pods);
            assertThat(number(hard.get("requests." + kind))).as("requests.%s vs %d pods", kind, pods)
                    .isEqualByComparingTo(number(resources.getRequests().get(kind)).multiply(count));
            assertThat(number(hard.get("limits." + kind))).as("limits.%s vs %d pods", kind, pods)
                    .isEqualByComparingTo(number(resources.getLimits().get(kind)).multiply(count));
        }

        int claims = number(hard.get("persistentvolumeclaims")).intValueExact();
        assertThat(claims).as("a claim for each live pod at least").isGreaterThanOrEqualTo(maxLiveClis);
        assertThat(number(hard.get("requests.storage"))).isGreaterThanOrEqualTo(
                Quantity.fromString(settings.get("SESSION_CLAIM_SIZE")).getNumber()
                        .multiply(BigDecimal.valueOf(claims)));
    }

    /** A pod made by hand in the session namespace gets the session pods' size, so the quota does not refuse it. */
    @Test
    void theLimitRangeDefaultsAreTheTemplatesResources() throws Exception {
        V1LimitRange range = one(on, V1LimitRange.class);
        assertThat(range.getMetadata().getNamespace()).isEqualTo(SESSION_NAMESPACE);
        V1LimitRangeItem item = range.getSpec().getLimits().getFirst();
        assertThat(range.getSpec().getLimits()).hasSize(1);
        assertThat(item.getType()).isEqualTo("Container");
        var resources = sessionPodTemplate().getSpec().getContainers().getFirst().getResources();
        assertThat(item.getDefaultRequest()).isEqualTo(resources.getRequests());
        assertThat(item.getDefault()).isEqualTo(resources.getLimits());
    }

    // --- Pod Security "restricted" ------------------------------------------------------------------------------

    /**
     * The Pod Security Standards' {@code restricted} profile (baseline included), as kubernetes.io/docs/concepts/
     * security/pod-security-standards states it and the admission's checks (k8s.io/pod-security-admission/policy)
     * implement it up to Kubernetes 1.34, checked on a pod's metadata and spec. Stricter where that is simpler: no
     * sysctls at all, no relaxation for user-namespace pods, and a pod with ephemeral containers is reported (the
     * manifests have none).
     */
    static final class Restricted {

        private static final Set<String> VOLUME_TYPES = Set.of("name", "configMap", "csi", "downwardAPI", "emptyDir",
                "ephemeral", "persistentVolumeClaim", "projected", "secret");
        private static final Set<String> SELINUX_TYPES = Set.of("container_t", "container_init_t",
                "container_kvm_t", "container_engine_t");
        private static final Set<String> SECCOMP = Set.of("RuntimeDefault", "Localhost");

        private Restricted() {
        }

        static List<String> violations(V1ObjectMeta meta, V1PodSpec pod) {
            List<String> out = new ArrayList<>();
            V1PodSecurityContext ps = Objects.requireNonNullElse(pod.getSecurityContext(), new V1PodSecurityContext());
            if (Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                    || Boolean.TRUE.equals(pod.getHostIPC())) {
                out.add("pod: host namespaces");
            }
            if (pod.getEphemeralContainers() != null && !pod.getEphemeralContainers().isEmpty()) {
                out.add("pod: ephemeral containers (not checked here)");
            }
            if (ps.getSysctls() != null && !ps.getSysctls().isEmpty()) {
                out.add("pod: sysctls");
            }
            for (V1Volume volume : Objects.requireNonNullElse(pod.getVolumes(), List.<V1Volume>of())) {
                Set<String> fields = new HashSet<>(names(tree(volume.toJson())));
                fields.removeAll(VOLUME_TYPES);
                if (!fields.isEmpty()) {
                    out.add("volume " + volume.getName() + ": a type restricted forbids " + fields);
                }
            }
            Objects.requireNonNullElse(meta == null ? null : meta.getAnnotations(), Map.<String, String>of())
                    .forEach((k, v) -> {
                        if (k.startsWith("container.apparmor.security.beta.kubernetes.io/")
                                && !v.equals("runtime/default") && !v.startsWith("localhost/")) {
                            out.add("pod: AppArmor " + v);
                        }
                    });
            String podSeccomp = ps.getSeccompProfile() == null ? null : ps.getSeccompProfile().getType();
            if (podSeccomp != null && !SECCOMP.contains(podSeccomp)) {
                out.add("pod: seccomp " + podSeccomp);
            }
            if (Long.valueOf(0).equals(ps.getRunAsUser())) {
                out.add("pod: runAsUser 0");
            }
            if (Boolean.FALSE.equals(ps.getRunAsNonRoot())) {
                out.add("pod: runAsNonRoot false");
            }
            seLinux("pod", ps.getSeLinuxOptions(), out);
            hostProcess("pod", ps.getWindowsOptions(), out);
            appArmor("pod", ps.getAppArmorProfile(), out);

            List<V1Container> containers = new ArrayList<>(pod.getContainers());
            containers.addAll(Objects.requireNonNullElse(pod.getInitContainers(), List.of()));
            for (V1Container c : containers) {
                String where = "container " + c.getName() + ": ";
                V1SecurityContext sc = Objects.requireNonNullElse(c.getSecurityContext(), new V1SecurityContext());
                if (Boolean.TRUE.equals(sc.getPrivileged())) {
                    out.add(where + "privileged");
                }
                if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                    out.add(where + "allowPrivilegeEscalation is not false");
                }
                V1Capabilities caps = Objects.requireNonNullElse(sc.getCapabilities(), new V1Capabilities());
                if (caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
                    out.add(where + "does not drop ALL capabilities");
                }
                if (caps.getAdd() != null && !Set.of("NET_BIND_SERVICE").containsAll(caps.getAdd())) {
                    out.add(where + "adds capabilities " + caps.getAdd());
                }
                if (Boolean.FALSE.equals(sc.getRunAsNonRoot())
                        || !Boolean.TRUE.equals(sc.getRunAsNonRoot()) && !Boolean.TRUE.equals(ps.getRunAsNonRoot())) {
                    out.add(where + "runAsNonRoot is not true (pod or container)");
                }
                if (Long.valueOf(0).equals(sc.getRunAsUser())) {
                    out.add(where + "runAsUser 0");
                }
                String seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile().getType() : podSeccomp;
                if (seccomp == null || !SECCOMP.contains(seccomp)) {
                    out.add(where + "seccomp " + seccomp + " (RuntimeDefault or Localhost, pod or container)");
                }
                if (sc.getProcMount() != null && !sc.getProcMount().equals("Default")) {
                    out.add(where + "procMount " + sc.getProcMount());
                }
                for (V1ContainerPort port : Objects.requireNonNullElse(c.getPorts(), List.<V1ContainerPort>of())) {
                    if (port.getHostPort() != null && port.getHostPort() != 0) {
                        out.add(where + "hostPort " + port.getHostPort());
                    }
                }
                Stream.of(c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe()).filter(Objects::nonNull)
                        .forEach(probe -> host(where, probe.getHttpGet(), probe.getTcpSocket(), out));
                if (c.getLifecycle() != null) {
                    Stream.of(c.getLifecycle().getPostStart(), c.getLifecycle().getPreStop()).filter(Objects::nonNull)
                            .forEach(handler -> host(where, handler.getHttpGet(), handler.getTcpSocket(), out));
                }
                seLinux(where, sc.getSeLinuxOptions(), out);
                hostProcess(where, sc.getWindowsOptions(), out);
                appArmor(where, sc.getAppArmorProfile(), out);
            }
            return out;
        }

        /** A probe or lifecycle handler aimed at another host than the pod (baseline since Kubernetes 1.34). */
        private static void host(String where, V1HTTPGetAction http, V1TCPSocketAction tcp, List<String> out) {
            if (http != null && http.getHost() != null && !http.getHost().isEmpty()
                    || tcp != null && tcp.getHost() != null && !tcp.getHost().isEmpty()) {
                out.add(where + "probe or lifecycle host");
            }
        }

        private static void seLinux(String where, V1SELinuxOptions options,
                List<String> out) {
            if (options != null && (options.getUser() != null || options.getRole() != null
                    || options.getType() != null && !options.getType().isEmpty()
                    && !SELINUX_TYPES.contains(options.getType()))) {
                out.add(where + " SELinux options");
            }
        }

        private static void hostProcess(String where, V1WindowsSecurityContextOptions options, List<String> out) {
            if (options != null && Boolean.TRUE.equals(options.getHostProcess())) {
                out.add(where + " Windows hostProcess");
            }
        }

        private static void appArmor(String where, V1AppArmorProfile profile, List<String> out) {
            if (profile != null && "Unconfined".equals(profile.getType())) {
                out.add(where + " AppArmor Unconfined");
            }
        }
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private static String templateText() {
        return one(on, V1ConfigMap.class, BOT_NAMESPACE, TEMPLATE_CONFIG_MAP).getData().get("session-pod.yaml");
    }

    /** The template, parsed strictly as a v1/Pod: a fresh copy on each call. */
    private static V1Pod sessionPodTemplate() throws IOException {
        return V1Pod.fromJson(Kube.json(templateText()));
    }

    private static String templateImage(List<Object> rendered) throws IOException {
        String text = one(rendered, V1ConfigMap.class, BOT_NAMESPACE, TEMPLATE_CONFIG_MAP).getData()
                .get("session-pod.yaml");
        return V1Pod.fromJson(Kube.json(text)).getSpec().getContainers().getFirst().getImage();
    }

    private static String botImage(List<Object> rendered) {
        return one(rendered, V1StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().getFirst()
                .getImage();
    }

    private static V1SecurityContext context(V1Pod pod) {
        return pod.getSpec().getContainers().getFirst().getSecurityContext();
    }

    /** Whether a label selector matches labels, as the API server decides (an empty selector matches all). */
    private static boolean selects(V1LabelSelector selector, Map<String, String> labels) {
        boolean byLabels = labels.entrySet().containsAll(
                Objects.requireNonNullElse(selector.getMatchLabels(), Map.<String, String>of()).entrySet());
        return byLabels && Objects.requireNonNullElse(selector.getMatchExpressions(),
                List.<V1LabelSelectorRequirement>of()).stream().allMatch(e -> switch (e.getOperator()) {
                    case "In" -> e.getValues().contains(labels.get(e.getKey()));
                    case "NotIn" -> !e.getValues().contains(labels.get(e.getKey()));
                    case "Exists" -> labels.containsKey(e.getKey());
                    case "DoesNotExist" -> !labels.containsKey(e.getKey());
                    default -> throw new AssertionError("operator " + e.getOperator());
                });
    }

    private static Set<String> keys(V1Secret secret) {
        Set<String> keys = new TreeSet<>();
        keys.addAll(Objects.requireNonNullElse(secret.getStringData(), Map.<String, String>of()).keySet());
        keys.addAll(Objects.requireNonNullElse(secret.getData(), Map.<String, byte[]>of()).keySet());
        return keys;
    }

    private static List<String> values(V1Secret secret) {
        List<String> values = new ArrayList<>(
                Objects.requireNonNullElse(secret.getStringData(), Map.<String, String>of()).values());
        Objects.requireNonNullElse(secret.getData(), Map.<String, byte[]>of()).values()
                .forEach(v -> values.add(new String(v)));
        return values;
    }

    private static BigDecimal number(Quantity quantity) {
        assertThat(quantity).isNotNull();
        return quantity.getNumber();
    }

    private static JsonNode tree(String json) {
        try {
            return new YAMLMapper().readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static V1ObjectMeta meta(Object o) {
        try {
            return (V1ObjectMeta) o.getClass().getMethod("getMetadata").invoke(o);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static <T> List<T> all(List<Object> rendered, Class<T> type) {
        return rendered.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T> T one(List<Object> rendered, Class<T> type) {
        List<T> found = all(rendered, type);
        assertThat(found).as("objects of kind %s", type.getSimpleName()).hasSize(1);
        return found.getFirst();
    }

    private static <T> T named(List<Object> rendered, Class<T> type, String name) {
        List<T> found = all(rendered, type).stream().filter(o -> name.equals(meta(o).getName())).toList();
        assertThat(found).as("%s %s", type.getSimpleName(), name).hasSize(1);
        return found.getFirst();
    }

    private static <T> T one(List<Object> rendered, Class<T> type, String namespace, String name) {
        T found = named(rendered, type, name);
        assertThat(meta(found).getNamespace()).as("%s %s", type.getSimpleName(), name).isEqualTo(namespace);
        return found;
    }
}
