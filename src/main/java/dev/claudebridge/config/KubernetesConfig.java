package dev.claudebridge.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of the kubernetes agent runtime ({@code AGENT_RUNTIME=kubernetes}): every session's CLI in a pod of
 * its own in {@code namespace}, made from the operator's pod template, with a claim of its own. How the bot reaches
 * the API server is the fabric8 client's own configuration (in the cluster: the pod's service account).
 *
 * @param namespace    {@code SESSION_NAMESPACE}: where session pods and claims live (not the bot's own)
 * @param podTemplate  {@code SESSION_POD_TEMPLATE}: a file holding one v1 Pod in YAML (image, resources, placement)
 * @param modelSecret  {@code SESSION_MODEL_SECRET}: the Secret in {@code namespace} with the model credentials
 * @param claimSize    {@code SESSION_CLAIM_SIZE}: each session's PersistentVolumeClaim
 * @param storageClass {@code SESSION_CLAIM_STORAGE_CLASS}: empty for the cluster's default
 * @param mountPath    {@code SESSION_MOUNT_PATH}: where the claim is mounted in the pod
 * @param claudeBin    {@code SESSION_CLAUDE_BIN}: the CLI's path in the pod's image
 */
public record KubernetesConfig(String namespace, Path podTemplate, String modelSecret, String claimSize,
        Optional<String> storageClass, String mountPath, String claudeBin) {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?");

    /** {@code AGENT_RUNTIME=kubernetes}'s settings; empty for {@code embedded} (the default). */
    static Optional<KubernetesConfig> parse(Settings s) {
        String runtime = s.string("AGENT_RUNTIME", "embedded");
        if (runtime.equals("embedded")) {
            return Optional.empty();
        }
        if (!runtime.equals("kubernetes")) {
            throw new ConfigException("AGENT_RUNTIME", "embedded or kubernetes", runtime);
        }
        String namespace = label("SESSION_NAMESPACE", s.string("SESSION_NAMESPACE", "claude-bridge-sessions"));
        String secret = label("SESSION_MODEL_SECRET", s.string("SESSION_MODEL_SECRET", "claude-model-credentials"));
        String size = s.string("SESSION_CLAIM_SIZE", "5Gi");
        if (!QUANTITY.matcher(size).matches()) {
            throw new ConfigException("SESSION_CLAIM_SIZE", "a storage quantity such as 5Gi", size);
        }
        String mount = s.string("SESSION_MOUNT_PATH", "/session");
        if (!mount.startsWith("/") || mount.equals("/") || mount.contains("..")) {
            throw new ConfigException("SESSION_MOUNT_PATH", "an absolute path other than /", mount);
        }
        String bin = s.string("SESSION_CLAUDE_BIN", "/app/tools/node_modules/.bin/claude");
        if (!bin.startsWith("/")) {
            throw new ConfigException("SESSION_CLAUDE_BIN", "the CLI's absolute path in the session image", bin);
        }
        return Optional.of(new KubernetesConfig(namespace,
                s.path("SESSION_POD_TEMPLATE", Path.of("/etc/claude-bridge/session-pod.yaml")), secret, size,
                s.optional("SESSION_CLAIM_STORAGE_CLASS"), mount.replaceAll("/+$", ""), bin));
    }

    private static String label(String name, String value) {
        if (!DNS_LABEL.matcher(value).matches()) {
            throw new ConfigException(name, "a Kubernetes name (lower-case letters, digits and '-')", value);
        }
        return value;
    }
}
