package dev.claudebridge.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.testkit.kubernetes.KubeRequest;
import dev.claudebridge.testkit.kubernetes.KubeServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fake Kubernetes API server (core v1 on plain HTTP at 127.0.0.1) with one node whose kubelet runs each pod's
 * first container as a local process, isolated as a container would be: its own PID and mount namespaces, a private
 * /dev, its claims bind-mounted at their mount paths, the pod's user (setpriv) and only the pod's environment. The
 * real fabric8 client talks to it over real HTTP and WebSocket; {@code kubernetes/FakeKubernetesTest} holds it to
 * that client. Needs root (namespaces, mounts, chown), as the tests and CI have.
 *
 * <pre>{@code
 * try (FakeKubernetes k8s = FakeKubernetes.start(claimsRoot);
 *         KubernetesClient client = new KubernetesClientBuilder().withConfig(k8s.config()).build()) {
 *     client.pods().inNamespace("s").resource(pod).create();
 *     k8s.killPod("s", "p");
 * }
 * }</pre>
 *
 * Served: pods (create, get, list, watch, delete with grace, {@code log}, {@code attach}, {@code exec}),
 * persistentvolumeclaims (create, get, list, watch, delete; each a directory under {@code claimsRoot}), secrets
 * (create, get, list, delete). Namespaces exist as soon as they are named.
 */
public final class FakeKubernetes implements AutoCloseable {
    private final KubeServer server;

    private FakeKubernetes(KubeServer server) {
        this.server = server;
    }

    /** Starts the server; claims are directories under {@code claimsRoot} (made, and made root's 0700). */
    public static FakeKubernetes start(Path claimsRoot) {
        FakeKubernetes k = new FakeKubernetes(KubeServer.start(claimsRoot));
        Runtime.getRuntime().addShutdownHook(new Thread(k::close, "fake-kubernetes-stop"));
        return k;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String masterUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** A fabric8 configuration for this server: its URL, a token, no kubeconfig from the environment. */
    public Config config() {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(masterUrl())
                .withOauthToken("fake-token")
                .withTrustCerts(true)
                .withNamespace("default")
                .build();
    }

    // ---- control

    /** SIGKILL to every process of the pod, from outside (exit 137, reason {@code Error}); false if none runs. */
    public boolean killPod(String namespace, String name) {
        return server.kill(namespace, name, false);
    }

    /**
     * Simulates the kernel's OOM killer, since no memory limit is enforced: SIGKILL to the pod's processes and the
     * status a kubelet writes after an OOM kill (exit 137, reason {@code OOMKilled}); the pod's {@code status.message}
     * says it was simulated. False if nothing runs.
     */
    public boolean markOomKilled(String namespace, String name) {
        return server.kill(namespace, name, true);
    }

    /**
     * Closes every attach connection to the pod from the server's side, as a kubelet does after its streaming
     * connections' idle limit (4 hours by default); the container runs on, its stdin open. How many were closed.
     */
    public int dropAttachments(String namespace, String name) {
        return server.dropAttachments(namespace, name);
    }

    /** Stores a Secret (string values), as a test puts the model credentials in the session namespace. */
    public void putSecret(String namespace, String name, Map<String, String> values) {
        ObjectNode secret = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        secret.putObject("metadata").put("name", name);
        ObjectNode data = secret.putObject("stringData");
        values.forEach(data::put);
        server.createObject("secrets", namespace, secret);
    }

    // ---- what happened

    /** Every request received, in order (method, path, query). */
    public List<KubeRequest> requests() {
        return server.requests();
    }

    /** Requests per second over a window ending now: for the API-calls-per-second figures. */
    public double requestsPerSecond(Duration window) {
        Instant since = Instant.now().minus(window);
        long n = requests().stream().filter(r -> r.at().isAfter(since)).count();
        return n / (window.toMillis() / 1000.0);
    }

    public Optional<JsonNode> pod(String namespace, String name) {
        return server.object("pods", namespace, name);
    }

    /** Pods of a namespace ({@code null}: all), as stored. */
    public List<JsonNode> pods(String namespace) {
        return server.objects("pods", namespace);
    }

    public Optional<JsonNode> claim(String namespace, String name) {
        return server.object("persistentvolumeclaims", namespace, name);
    }

    public List<JsonNode> claims(String namespace) {
        return server.objects("persistentvolumeclaims", namespace);
    }

    /** The host directory behind a claim (it exists while the claim does). */
    public Path claimPath(String namespace, String name) {
        return server.claimDir(namespace, name);
    }

    /**
     * Kills every pod process and stops the server (idempotent); claim directories stay for the test to inspect or
     * delete, and so do the (empty) mount points the kubelet had to make on the host.
     */
    @Override
    public void close() {
        server.close();
    }

    /**
     * Standalone, as root: {@code ./mvnw -q -Prun test-compile -Dmain=dev.claudebridge.testkit.FakeKubernetes
     * -Dargs="CLAIMS_DIR"}. Prints the master URL, then runs until killed.
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: FakeKubernetes CLAIMS_DIR");
            System.exit(2);
        }
        FakeKubernetes k8s = start(Path.of(args[0]));
        System.out.println("=== Fake Kubernetes ready ===");
        System.out.println("master URL: " + k8s.masterUrl() + " (any bearer token)");
        System.out.println("claims:     " + Path.of(args[0]).toAbsolutePath());
        System.out.flush();
        new java.util.concurrent.CountDownLatch(1).await();
    }
}
