package dev.claudebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.ClaudeAgentRuntime;
import dev.claudebridge.agent.PodAgentRuntime;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.KubernetesConfig;
import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.SessionStore;
import dev.claudebridge.ops.BridgeMetrics;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The agent runtime {@code AGENT_RUNTIME} asks for, and the start-up steps that differ between the two: the CLI's
 * version (the embedded CLI is run; a pod's is the image's), and what follows the store's opening (the embedded
 * runtime records its children there and stops a crashed run's; the kubernetes runtime deletes the session pods an
 * earlier run left).
 */
final class Agents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Agents.class);

    private final BridgeConfig config;
    private final ClaudeAgentRuntime embedded;
    private final Scheduler kubernetesCalls;
    private final AtomicReference<KubernetesClient> client = new AtomicReference<>();
    private final Clock clock;

    Agents(BridgeConfig config, Scheduler processStart, Clock clock, BridgeMetrics metrics) {
        this.config = config;
        this.clock = clock;
        this.embedded = new ClaudeAgentRuntime(config, new ObjectMapper(), processStart, clock, metrics);
        // The fabric8 client blocks on every call, a pod's start for as long as the pod takes: threads of their own.
        this.kubernetesCalls = config.kubernetes().isPresent()
                ? Schedulers.newBoundedElastic(32, 100_000, "kubernetes", 60, true) : null;
        if (config.kubernetes().isEmpty()) {
            metrics.watchCliMemory(embedded::residentBytes);
        }
    }

    /** The CLI's version for the log and {@code /status}; in the embedded runtime a CLI that cannot run fails it. */
    Mono<AgentVersion> version() {
        return config.kubernetes().isPresent()
                ? Mono.just(new AgentVersion("in the session image", java.util.Optional.empty()))
                : embedded.version();
    }

    /** The runtime the sessions use, once the store is open; leftovers of an earlier run stopped first. */
    Mono<AgentRuntime> withStore(SessionStore store) {
        if (config.kubernetes().isEmpty()) {
            ClaudeAgentRuntime agents = embedded.recordingChildrenIn(store.children());
            return agents.stopLeftovers().map(n -> {
                log.info("stopped {} leftover CLIs of an earlier run", n);
                return agents;
            });
        }
        KubernetesConfig settings = config.kubernetes().get();
        return Mono.fromCallable(() -> {
                    KubernetesClient c = new KubernetesClientBuilder().withConfig(clientConfig(config.environment()))
                            .withHttpClientFactory(new JdkHttpClientFactory()).build();
                    client.set(c);
                    return new PodAgentRuntime(config, settings, c, new ObjectMapper(), kubernetesCalls, clock, store);
                })
                .subscribeOn(kubernetesCalls)
                .flatMap(runtime -> runtime.stopLeftovers().map(n -> {
                    log.info("deleted {} session pods an earlier run left", n);
                    return (AgentRuntime) runtime;
                }));
    }

    /**
     * The client's configuration as fabric8 finds it (in a cluster: the pod's service account; else the kubeconfig),
     * with {@code KUBERNETES_MASTER} and {@code KUBERNETES_AUTH_TOKEN} of the bot's settings over it: fabric8 reads
     * those names from the process environment, and the bot's settings may come from a {@code .env} file instead.
     */
    static Config clientConfig(Map<String, String> env) {
        Config auto = Config.autoConfigure(null);
        ConfigBuilder builder = new ConfigBuilder(auto);
        if (env.get("KUBERNETES_MASTER") != null) {
            builder.withMasterUrl(env.get("KUBERNETES_MASTER"));
        }
        if (env.get("KUBERNETES_AUTH_TOKEN") != null) {
            builder.withOauthToken(env.get("KUBERNETES_AUTH_TOKEN"));
        }
        return builder.build();
    }

    @Override
    public void close() {
        KubernetesClient c = client.getAndSet(null);
        if (c != null) {
            c.close();
        }
        if (kubernetesCalls != null) {
            kubernetesCalls.dispose();
        }
    }
}
