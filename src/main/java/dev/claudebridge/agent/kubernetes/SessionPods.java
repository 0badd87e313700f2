package dev.claudebridge.agent.kubernetes;

import dev.claudebridge.agent.process.CliCommand;
import dev.claudebridge.config.KubernetesConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects a session's CLI runs in: its claim and its pods, made from the operator's pod template (image,
 * resources, security context, placement) and what the bot must set itself: the CLI with stdin open, no service
 * account token, no service links, only the CLI's environment and the model Secret, the claim mounted, the CLI's
 * stderr kept out of the log (the log API merges the two streams) and its last lines in the termination message.
 */
public final class SessionPods {

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String SESSION = "claude-bridge/session";
    public static final String POD_OF = "claude-bridge/pod-of";
    public static final String CONTAINER = "claude";
    /** The pod's /tmp (an emptyDir: the agent's tools and the CLI's scratch files); counts as ephemeral storage. */
    static final String TMP_SIZE = "1Gi";
    static final String TERMINATION_LOG = "/dev/termination-log";
    /** The standard PATH: the template's image may set another, but the pod's env must not depend on the bot's. */
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /**
     * Makes the session's directories on the claim (a new claim is empty) and enters the working directory; sends
     * its own stderr (a shell reports a killed job there) after the CLI's; runs
     * the CLI ({@code $0} with its arguments) with the pod's stdin (an asynchronous command's stdin would be
     * {@code /dev/null}, hence fd 3), its stderr appended to a file on the claim; forwards TERM to it (a pod's
     * deletion signals PID 1, this shell); when it ends, its last stderr lines become the termination message.
     */
    static final String WRAPPER = String.join("\n",
            "mkdir -p \"$CLAUDE_BRIDGE_WORKDIR\" \"$CLAUDE_CONFIG_DIR\" \"$HOME\" \"$CLAUDE_CODE_TMPDIR\" "
                    + "&& cd \"$CLAUDE_BRIDGE_WORKDIR\" || exit 125",
            ": > \"$CLAUDE_BRIDGE_STDERR\"",
            "exec 2>>\"$CLAUDE_BRIDGE_STDERR\"",
            "exec 3<&0",
            "trap 'kill -TERM \"$pid\" 2>/dev/null' TERM INT",
            "\"$0\" \"$@\" <&3 3<&- 2>>\"$CLAUDE_BRIDGE_STDERR\" &",
            "pid=$!",
            "exec 3<&-",
            "wait \"$pid\"; code=$?",
            "while kill -0 \"$pid\" 2>/dev/null; do wait \"$pid\"; code=$?; done",
            "tail -n 20 \"$CLAUDE_BRIDGE_STDERR\" | tail -c 4000 > " + TERMINATION_LOG,
            "exit $code");

    private final KubernetesConfig config;
    private final Pod template;

    public SessionPods(KubernetesConfig config, Pod template) {
        this.config = config;
        this.template = template;
    }

    /** A session's key: a DNS-label-safe hash of its platform and thread (20 hex characters). */
    public static String key(String platform, String threadId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((platform + ":" + threadId).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String claimName(String key) {
        return "claude-session-" + key;
    }

    /** The working directory in the pod: the session's directory, relative to the workspace, under the claim. */
    public String workDir(String relativeDir) {
        String rel = relativeDir.replaceAll("^/+|/+$", "");
        return config.mountPath() + "/work" + (rel.isEmpty() || rel.equals(".") ? "" : "/" + rel);
    }

    public String configDir() {
        return config.mountPath() + "/config";
    }

    public PersistentVolumeClaim claim(String key) {
        PersistentVolumeClaimBuilder claim = new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(claimName(key)).withNamespace(config.namespace())
                .addToLabels(MANAGED_BY, "claude-bridge").addToLabels(SESSION, key).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity(config.claimSize())).endResources()
                .endSpec();
        config.storageClass().ifPresent(c -> claim.editSpec().withStorageClassName(c).endSpec());
        return claim.build();
    }

    /**
     * A pod that only mounts the session's claim, for file operations ({@link PodFiles}) while no CLI pod runs: the
     * template's image, resources, security and placement, the claim at the same path, as the same user; its command
     * sleeps for {@code life} and ends; no stdin, no model credentials, no environment but {@code PATH} and
     * {@code HOME}.
     */
    public Pod filesPod(String name, String key, java.time.Duration life) {
        Pod pod = pod(name, key, CliCommand.of(config.claudeBin(), java.nio.file.Path.of(config.mountPath()),
                Map.of()), config.mountPath(), Map.of(), Map.of());
        Container container = pod.getSpec().getContainers().get(0);
        container.setCommand(List.of("/bin/sh", "-c", "sleep " + life.toSeconds()));
        container.setStdin(false);
        container.setEnvFrom(List.of());
        container.setEnv(List.of(new EnvVar("PATH", PATH, null), new EnvVar("HOME", config.mountPath() + "/home",
                null)));
        pod.getMetadata().getLabels().put(PodFiles.ROLE, "files");
        return pod;
    }

    /**
     * The pod for one start of the session's CLI.
     *
     * @param name       the pod's name
     * @param command    the CLI's command (its binary is replaced by the image's; its environment by {@code env})
     * @param workDir    the working directory in the pod
     * @param env        the CLI's environment (no model credentials: those come from the Secret)
     * @param annotations what the pod says of its session (platform, thread)
     */
    public Pod pod(String name, String key, CliCommand command, String workDir, Map<String, String> env,
            Map<String, String> annotations) {
        Container base = template.getSpec() == null || template.getSpec().getContainers() == null
                || template.getSpec().getContainers().isEmpty() ? new Container()
                : template.getSpec().getContainers().get(0);
        List<String> argv = command.argv();
        List<String> shell = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, config.claudeBin()));
        shell.addAll(argv.subList(1, argv.size()));
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("PATH", PATH);
        all.put("CLAUDE_BRIDGE_STDERR", config.mountPath() + "/cli-stderr.log");
        all.put("CLAUDE_BRIDGE_WORKDIR", workDir);
        all.put("HOME", config.mountPath() + "/home");
        all.put("CLAUDE_CONFIG_DIR", configDir());
        all.put("CLAUDE_CODE_TMPDIR", "/tmp/claude");
        all.put("TMPDIR", "/tmp");
        List<EnvVar> vars = all.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList();
        Container container = new ContainerBuilder()
                .withName(CONTAINER).withImage(base.getImage()).withImagePullPolicy(base.getImagePullPolicy())
                .withResources(base.getResources()).withSecurityContext(base.getSecurityContext())
                .withCommand(shell).withWorkingDir(config.mountPath())
                .withStdin(true).withStdinOnce(false).withTty(false)
                .withTerminationMessagePath(TERMINATION_LOG).withTerminationMessagePolicy("File")
                .withEnv(vars)
                .withEnvFrom(new EnvFromSourceBuilder().withNewSecretRef().withName(config.modelSecret())
                        .withOptional(false).endSecretRef().build())
                .addNewVolumeMount().withName("session").withMountPath(config.mountPath()).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .build();
        PodBuilder pod = new PodBuilder(template)
                .editOrNewMetadata().withName(name).withNamespace(config.namespace()).withGenerateName(null)
                .addToLabels(MANAGED_BY, "claude-bridge").addToLabels(SESSION, key).addToLabels(POD_OF, key)
                .addToAnnotations(annotations).endMetadata()
                .editOrNewSpec()
                .withRestartPolicy("Never").withAutomountServiceAccountToken(false).withEnableServiceLinks(false)
                .withServiceAccountName(null).withHostNetwork(false).withHostPID(false).withHostIPC(false)
                .withContainers(container).withInitContainers(List.of())
                .withVolumes(List.of()).addNewVolume().withName("session").withNewPersistentVolumeClaim()
                .withClaimName(claimName(key)).endPersistentVolumeClaim().endVolume()
                // A writable /tmp of its own, so the template can make the root filesystem read-only.
                .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity(TMP_SIZE))
                .endEmptyDir().endVolume()
                .endSpec();
        return pod.build();
    }
}
