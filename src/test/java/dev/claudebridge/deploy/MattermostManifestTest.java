package dev.claudebridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.ConfigException;
import dev.claudebridge.config.MattermostConfig;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code k8s/mattermost} component (README "Mattermost"): off by default; rendered by {@code kubectl kustomize} in
 * an overlay that turns it on, it adds Mattermost's settings (the token in the Secret), and the callback port, which
 * the pod and the Service expose and the NetworkPolicy admits only from a selected peer (the Mattermost server), the
 * ops port's rule left as it was. The settings it sets are read by the app's own parser as they are wired.
 */
final class MattermostManifestTest {

    private static final String CALLBACK = "mm-callback";

    private static List<Object> objects;

    @BeforeAll
    static void render(@TempDir Path overlay) throws Exception {
        Kube.overlay(overlay, "mattermost", "");
        objects = Kube.parseAll(Kube.render(overlay));
    }

    @Test
    void offByDefault() throws Exception {
        List<Object> plain = Kube.parseAll(Kube.render(Repo.path("k8s")));
        V1ConfigMap map = one(plain, V1ConfigMap.class);
        assertThat(map.getData().keySet()).noneMatch(k -> k.startsWith("MATTERMOST_"));
        assertThat(one(plain, V1Secret.class).getStringData()).doesNotContainKey("MATTERMOST_TOKEN");
        assertThat(bot(plain).getPorts()).extracting(V1ContainerPort::getName).containsExactly("ops");
        assertThat(one(plain, V1NetworkPolicy.class).getSpec().getIngress()).hasSize(1);
        assertThat(objects).hasSameSizeAs(plain);
    }

    @Test
    void theSettingsAreTheAppsAndTheTokenIsASecretTemplate() {
        V1ConfigMap map = one(objects, V1ConfigMap.class);
        V1Secret secret = one(objects, V1Secret.class);
        assertThat(map.getData()).containsKeys("MATTERMOST_URL", "MATTERMOST_ALLOWED_USERS",
                "MATTERMOST_ALLOWED_TEAMS", "MATTERMOST_CALLBACK_PORT", "MATTERMOST_CALLBACK_URL")
                .doesNotContainKey("MATTERMOST_TOKEN");
        assertThat(map.getData().keySet()).filteredOn(name -> name.startsWith("MATTERMOST_"))
                .allSatisfy(name -> assertThat(Wiring.settings()).as("settings BridgeConfig reads").contains(name));
        assertThat(secret.getStringData()).containsEntry("MATTERMOST_TOKEN", "")
                .as("the base's keys are kept").containsKeys("DISCORD_TOKEN", "ANTHROPIC_API_KEY");
    }

    /** As an operator fills it in for Mattermost only: the app accepts it, with the port the pod exposes. */
    @Test
    void filledInForMattermostOnlyTheAppListensWhereThePodAndTheServiceSay(@TempDir Path workspace) {
        Map<String, String> env = environment(workspace);
        env.put("MATTERMOST_URL", "https://chat.example.com");
        env.put("MATTERMOST_TOKEN", "test-mattermost-token");
        env.put("MATTERMOST_ALLOWED_TEAMS", "engineering");
        env.put("ANTHROPIC_API_KEY", "test-key");
        BridgeConfig config = BridgeConfig.fromEnv(env);
        assertThat(config.discordEnabled()).as("Discord's settings are blank").isFalse();
        MattermostConfig mm = config.mattermost().orElseThrow();

        int port = mm.callbackPort().orElseThrow();
        assertThat(containerPort(CALLBACK)).isEqualTo(port).isNotEqualTo(config.opsPort());
        V1Service service = one(objects, V1Service.class);
        V1ServicePort exposed = service.getSpec().getPorts().stream().filter(p -> p.getPort() == port).findFirst()
                .orElseThrow(() -> new AssertionError("the Service has no port " + port));
        assertThat(exposed.getTargetPort()).isEqualTo(new IntOrString(CALLBACK));
        URI url = URI.create(mm.callbackUrl().orElseThrow());
        assertThat(url.getPort()).isEqualTo(port);
        assertThat(url.getHost()).as("the Service's name in its namespace")
                .startsWith(service.getMetadata().getName() + "." + service.getMetadata().getNamespace() + ".svc");
    }

    /** Left as rendered (blanks), the bot stops at start-up naming what to fill in, not silently without Mattermost. */
    @Test
    void leftBlankTheBotStopsNamingTheServerAddress(@TempDir Path workspace) {
        Map<String, String> env = environment(workspace);
        env.put("DISCORD_TOKEN", "test-token");
        env.put("DISCORD_MAIN_CHANNEL_ID", "100000000000000001");
        env.put("ALLOWED_USER_IDS", "100000000000000002");
        Assertions.assertThatThrownBy(() -> BridgeConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MATTERMOST_URL: expected the Mattermost server's address, but it is not set");
    }

    @Test
    void theCallbackPortIsAdmittedFromASelectedPeerOnlyAndTheOpsRuleStays() {
        V1NetworkPolicy policy = one(objects, V1NetworkPolicy.class);
        List<V1NetworkPolicyIngressRule> rules = policy.getSpec().getIngress();
        assertThat(rules).hasSize(2);
        assertThat(rules).filteredOn(r -> r.getPorts().stream().anyMatch(p -> p.getPort().equals(
                new IntOrString("ops")))).singleElement().satisfies(r -> assertThat(r.getFrom()).singleElement()
                .satisfies(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels())
                        .containsExactly(Map.entry("kubernetes.io/metadata.name", "monitoring"))));
        V1NetworkPolicyIngressRule callback = rules.stream().filter(r -> r.getPorts().stream()
                .anyMatch(p -> p.getPort().equals(new IntOrString(CALLBACK)))).findFirst().orElseThrow();
        assertThat(callback.getPorts()).singleElement().satisfies(p -> assertThat(p.getProtocol()).isEqualTo("TCP"));
        // An empty or missing "from" admits everyone: the rule names one peer, by both selectors (an AND).
        assertThat(callback.getFrom()).singleElement().satisfies(peer -> {
            assertThat(peer.getIpBlock()).isNull();
            assertThat(selects(peer)).isTrue();
        });
        assertThat(containerPort(CALLBACK)).isPositive();
    }

    private static boolean selects(V1NetworkPolicyPeer peer) {
        return peer.getNamespaceSelector() != null && !Objects.requireNonNullElse(
                peer.getNamespaceSelector().getMatchLabels(), Map.of()).isEmpty()
                && peer.getPodSelector() != null && !Objects.requireNonNullElse(
                        peer.getPodSelector().getMatchLabels(), Map.of()).isEmpty();
    }

    /** The pod's variables from the rendered ConfigMap and Secret (blank where the operator fills in). */
    private static Map<String, String> environment(Path workspace) {
        Map<String, String> env = new HashMap<>(one(objects, V1ConfigMap.class).getData());
        one(objects, V1Secret.class).getStringData().forEach(env::put);
        env.put("WORKSPACE_ROOT", workspace.toString()); // /workspace/sessions exists only in the pod
        return env;
    }

    private static int containerPort(String name) {
        return bot(objects).getPorts().stream().filter(p -> name.equals(p.getName()))
                .map(V1ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError("no container port " + name));
    }

    private static V1Container bot(List<Object> all) {
        return one(all, V1StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    private static <T> T one(List<Object> all, Class<T> type) {
        List<T> found = all.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as("objects of kind %s", type.getSimpleName()).hasSize(1);
        return found.getFirst();
    }
}
