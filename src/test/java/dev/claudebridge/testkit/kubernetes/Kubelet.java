package dev.claudebridge.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one node: schedules every pod onto itself at once, starts its first container as a {@link Container}, and
 * writes the status a kubelet writes (phase, {@code containerStatuses[0].state}, conditions) as the process moves
 * on. Deletion is graceful as on a real node: SIGTERM, SIGKILL when the grace is over, the final status, then the
 * object goes. All work here runs on the kubelet's own threads, never on an event loop.
 *
 * <p>Left out: restarts ({@code restartPolicy} is taken as {@code Never}), init and sidecar containers, probes,
 * resource limits (an OOM kill is only simulated, by {@code FakeKubernetes.markOomKilled}), images (recorded, never
 * pulled). {@link PodStatus} writes the status.
 */
final class Kubelet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Kubelet.class);

    static final String NODE = "fake-node";
    /** The user a pod runs as when neither its container nor its pod security context names one (the bot's). */
    static final long DEFAULT_UID = 10001;
    static final long DEFAULT_GID = 10001;

    private final KubeStore store;
    private final Claims claims;
    private final Path stateRoot;
    private final ExecutorService threads = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("fake-kubelet-", 0).factory());
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("fake-kubelet-timer").factory());
    private final Map<String, Running> pods = new ConcurrentHashMap<>();
    /**
     * Every container whose process has not ended, deleted pods' included: a pod deleted with grace 0 is forgotten
     * at once while its SIGKILL is still queued, and close must still find its process.
     */
    private final java.util.Set<Container> live = ConcurrentHashMap.newKeySet();

    /** A pod this node knows: its log (from creation, empty until the container starts) and its container. */
    static final class Running {
        final String namespace;
        final String name;
        final String uid;
        final PodLog log = new PodLog();
        final String containerId = HexFormat.of().formatHex(randomBytes(32));
        volatile Container container;
        volatile boolean oomKilled;
        volatile boolean deleting;
        volatile String waitingReason = "ContainerCreating";

        Running(String namespace, String name, String uid) {
            this.namespace = namespace;
            this.name = name;
            this.uid = uid;
        }
    }

    Kubelet(KubeStore store, Claims claims, Path stateRoot) {
        this.store = store;
        this.claims = claims;
        this.stateRoot = stateRoot;
    }

    static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    Optional<Running> pod(String namespace, String name) {
        return Optional.ofNullable(pods.get(key(namespace, name)));
    }

    /** Takes a newly created pod: schedule, then start it on a kubelet thread. */
    void admit(ObjectNode pod) {
        String ns = pod.path("metadata").path("namespace").asText();
        String name = pod.path("metadata").path("name").asText();
        Running r = new Running(ns, name, pod.path("metadata").path("uid").asText());
        pods.put(key(ns, name), r);
        threads.execute(() -> sync(r));
    }

    /**
     * One pass of the kubelet's sync for a pod not started yet: bind it to the node, resolve what the container
     * needs, start it. What is missing (a claim, a Secret) leaves it Pending and is retried each second, as the
     * scheduler and the kubelet retry.
     */
    private void sync(Running r) {
        if (r.deleting || r.container != null) {
            return;
        }
        Optional<ObjectNode> found = store.get("pods", r.namespace, r.name);
        if (found.isEmpty()) {
            return;
        }
        ObjectNode pod = found.get();
        Path stateDir = stateRoot.resolve(r.namespace + "_" + r.name + "_" + r.uid);
        List<Container.Mount> mounts;
        try {
            mounts = mounts(pod, stateDir);
        } catch (IllegalArgumentException | IOException unsupported) {
            r.waitingReason = "CreateContainerConfigError";
            Instant at = Instant.now();
            store.update("pods", r.namespace, r.name, p -> PodStatus.pending(p, r, at, "CreateContainerConfigError",
                    unsupported.getMessage()));
            return;
        } catch (KubeError missingClaim) {
            store.update("pods", r.namespace, r.name, p -> {
                ObjectNode status = p.with("status");
                status.put("phase", "Pending");
                ArrayNode conditions = status.putArray("conditions");
                PodStatus.condition(conditions, "PodScheduled", "False", "Unschedulable",
                        "0/1 nodes are available: " + missingClaim.getMessage() + ".");
            });
            timers.schedule(() -> threads.execute(() -> sync(r)), 1, TimeUnit.SECONDS);
            return;
        }
        Instant now = Instant.now();
        JsonNode c0 = pod.path("spec").path("containers").path(0);
        Map<String, String> env;
        try {
            env = environment(pod, c0);
        } catch (KubeError configError) {
            r.waitingReason = "CreateContainerConfigError";
            store.update("pods", r.namespace, r.name, p -> PodStatus.pending(p, r, now, "CreateContainerConfigError",
                    configError.getMessage()));
            timers.schedule(() -> threads.execute(() -> sync(r)), 1, TimeUnit.SECONDS);
            return;
        }
        r.waitingReason = "ContainerCreating";
        store.update("pods", r.namespace, r.name, p -> {
            p.with("spec").put("nodeName", NODE);
            PodStatus.pending(p, r, now, "ContainerCreating", null);
        });
        Container.Spec spec = spec(pod, c0, env, mounts);
        try {
            prepareClaims(spec);
            Container c = Container.start(spec, stateDir, r.log, threads);
            r.container = c;
            live.add(c);
            c.exited().whenComplete((code, e) -> live.remove(c));
            store.update("pods", r.namespace, r.name, p -> PodStatus.running(p, r, c));
            c.exited().thenAcceptAsync(code -> exited(r, c, code), threads);
        } catch (IOException | RuntimeException e) {
            log.warn("pod {}/{} could not start", r.namespace, r.name, e);
            r.waitingReason = "RunContainerError";
            store.update("pods", r.namespace, r.name, p -> PodStatus.pending(p, r, now, "RunContainerError", e.toString()));
        }
    }

    // ---- deletion and kills

    /**
     * A graceful delete has been recorded on the object: SIGTERM now, SIGKILL after the grace; the object goes when
     * the process has. A pod whose container never started goes at once.
     */
    void terminate(String namespace, String name, long graceSeconds) {
        Running r = pods.get(key(namespace, name));
        if (r == null) {
            return;
        }
        r.deleting = true;
        threads.execute(() -> {
            Container c = r.container;
            if (c == null || !c.running()) {
                if (c == null || c.exited().isDone()) {
                    finish(r);
                }
                return;
            }
            if (graceSeconds <= 0) {
                c.signal(true);
                return;
            }
            c.signal(false);
            timers.schedule(() -> threads.execute(() -> {
                if (c.running()) {
                    c.signal(true);
                }
            }), graceSeconds, TimeUnit.SECONDS);
        });
    }

    /** The object is already gone (grace 0, a terminal pod): kill what runs, forget the pod. */
    void forget(String namespace, String name) {
        Running r = pods.remove(key(namespace, name));
        if (r == null) {
            return;
        }
        r.deleting = true;
        Container c = r.container;
        if (c != null && c.running()) {
            threads.execute(() -> c.signal(true));
        }
        threads.execute(() -> claims.podGone(store));
    }

    /** SIGKILL from outside the pod (exit 137, reason Error). */
    boolean kill(String namespace, String name, boolean asOom) {
        Running r = pods.get(key(namespace, name));
        if (r == null || r.container == null || !r.container.running()) {
            return false;
        }
        r.oomKilled = asOom;
        Container c = r.container;
        threads.execute(() -> c.signal(true));
        return true;
    }

    private void exited(Running r, Container c, int code) {
        Instant finished = Instant.now();
        String message = c.terminationMessage();
        String reason = r.oomKilled ? "OOMKilled" : code == 0 ? "Completed" : "Error";
        store.update("pods", r.namespace, r.name, p -> PodStatus.terminated(p, r, c, code, reason, message, finished));
        if (r.deleting) {
            finish(r);
        }
    }

    /** The end of a graceful delete: the object goes (a DELETED event), then claims waiting on it may go too. */
    private void finish(Running r) {
        pods.remove(key(r.namespace, r.name), r);
        store.remove("pods", r.namespace, r.name);
        claims.podGone(store);
    }

    // ---- resolving the spec

    /**
     * The container's volume mounts: claims (their host directory, or {@code subPath} in it) and emptyDirs (a
     * directory in the pod's state, 0777 as the kubelet makes it; a tmpfs for medium Memory). A missing claim is a
     * {@link KubeError} (the pod stays unscheduled); another volume type is an {@link IllegalArgumentException}.
     */
    private List<Container.Mount> mounts(ObjectNode pod, Path stateDir) throws IOException {
        Map<String, JsonNode> volumes = new LinkedHashMap<>();
        for (JsonNode v : pod.path("spec").path("volumes")) {
            volumes.put(v.path("name").asText(), v);
        }
        String ns = pod.path("metadata").path("namespace").asText();
        List<Container.Mount> mounts = new ArrayList<>();
        for (JsonNode m : pod.path("spec").path("containers").path(0).path("volumeMounts")) {
            String volumeName = m.path("name").asText();
            JsonNode volume = volumes.get(volumeName);
            String mountPath = m.path("mountPath").asText();
            boolean readOnly = m.path("readOnly").asBoolean(false);
            String sub = m.path("subPath").asText("");
            if (volume == null) {
                throw new IllegalArgumentException("volumeMounts: volume \"" + volumeName + "\" is not in spec.volumes");
            }
            if (volume.has("persistentVolumeClaim")) {
                String claim = volume.path("persistentVolumeClaim").path("claimName").asText();
                ObjectNode pvc = store.get("persistentvolumeclaims", ns, claim)
                        .orElseThrow(() -> KubeError.notFound("persistentvolumeclaim", claim));
                if (pvc.path("metadata").has("deletionTimestamp")) {
                    throw KubeError.badRequest("persistentvolumeclaim \"" + claim + "\" is being deleted");
                }
                Path dir = claims.dir(ns, claim);
                mounts.add(new Container.Mount(sub.isEmpty() ? dir : dir.resolve(sub), mountPath,
                        readOnly || volume.path("persistentVolumeClaim").path("readOnly").asBoolean(false), 0, true));
            } else if (volume.has("emptyDir")) {
                JsonNode emptyDir = volume.path("emptyDir");
                if ("Memory".equals(emptyDir.path("medium").asText(""))) {
                    mounts.add(new Container.Mount(null, mountPath, readOnly,
                            bytes(emptyDir.path("sizeLimit").asText("")), false));
                } else {
                    // (a disk emptyDir's sizeLimit, which the kubelet enforces by eviction, is not enforced here)
                    Path dir = stateDir.resolve("volumes").resolve(volumeName);
                    if (!Files.exists(dir)) {
                        Files.createDirectories(dir);
                        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions
                                .fromString("rwxrwxrwx"));
                    }
                    mounts.add(new Container.Mount(sub.isEmpty() ? dir : dir.resolve(sub), mountPath, readOnly, 0,
                            false));
                }
            } else {
                throw new IllegalArgumentException("volume \"" + volumeName + "\": only persistentVolumeClaim and "
                        + "emptyDir volumes are supported by FakeKubernetes");
            }
        }
        return mounts;
    }

    /** A resource quantity ({@code 64Mi}, {@code 1G}, {@code 500000}) in bytes; 0 for none. */
    static long bytes(String quantity) {
        if (quantity.isEmpty()) {
            return 0;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9.]+)([KMGTPE]i?|k)?").matcher(quantity);
        if (!m.matches()) {
            throw new IllegalArgumentException("quantity " + quantity);
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        int power = "kKMGTPE".indexOf(unit.isEmpty() ? 'x' : unit.charAt(0));
        if (power == 0) {
            power = 1; // "k" and "K" are both kilo
        }
        double base = unit.endsWith("i") ? 1024 : 1000;
        return (long) (n * (power < 0 ? 1 : Math.pow(base, power)));
    }

    /**
     * {@code env} (values, {@code valueFrom.secretKeyRef}, {@code fieldRef} on the pod's name and namespace) and
     * {@code envFrom.secretRef}, and nothing else; a missing Secret or key is the kubelet's
     * CreateContainerConfigError unless the reference is optional.
     */
    private Map<String, String> environment(ObjectNode pod, JsonNode c0) {
        String ns = pod.path("metadata").path("namespace").asText();
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : c0.path("envFrom")) {
            JsonNode ref = from.path("secretRef");
            if (ref.isMissingNode()) {
                throw KubeError.badRequest("only secretRef is supported in envFrom by this fake");
            }
            String secret = ref.path("name").asText();
            Optional<ObjectNode> s = store.get("secrets", ns, secret);
            if (s.isEmpty()) {
                if (ref.path("optional").asBoolean(false)) {
                    continue;
                }
                throw KubeError.badRequest("secret \"" + secret + "\" not found");
            }
            String prefix = from.path("prefix").asText("");
            s.get().path("data").properties().forEach(e -> env.put(prefix + e.getKey(), decode(e.getValue())));
        }
        for (JsonNode e : c0.path("env")) {
            String name = e.path("name").asText();
            JsonNode valueFrom = e.path("valueFrom");
            if (valueFrom.isMissingNode()) {
                env.put(name, expand(e.path("value").asText(""), env));
            } else if (valueFrom.has("secretKeyRef")) {
                JsonNode ref = valueFrom.path("secretKeyRef");
                String secret = ref.path("name").asText();
                String key = ref.path("key").asText();
                Optional<JsonNode> value = store.get("secrets", ns, secret).map(s -> s.path("data").get(key));
                if (value.isPresent() && value.get() != null) {
                    env.put(name, decode(value.get()));
                } else if (!ref.path("optional").asBoolean(false)) {
                    throw KubeError.badRequest(store.get("secrets", ns, secret).isEmpty()
                            ? "secret \"" + secret + "\" not found"
                            : "couldn't find key " + key + " in Secret " + ns + "/" + secret);
                }
            } else if (valueFrom.has("fieldRef")) {
                String path = valueFrom.path("fieldRef").path("fieldPath").asText();
                env.put(name, switch (path) {
                    case "metadata.name" -> pod.path("metadata").path("name").asText();
                    case "metadata.namespace" -> ns;
                    case "metadata.uid" -> pod.path("metadata").path("uid").asText();
                    case "spec.nodeName" -> NODE;
                    default -> "";
                });
            } else {
                throw KubeError.badRequest("only secretKeyRef and fieldRef are supported in valueFrom by this fake");
            }
        }
        return env;
    }

    /** {@code $(VAR)} references to variables defined before, as the kubelet expands them; {@code $$} escapes. */
    private static String expand(String value, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '$') {
                out.append('$');
                i++;
            } else if (c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '(') {
                int end = value.indexOf(')', i);
                String name = end < 0 ? null : value.substring(i + 2, end);
                if (name != null && env.containsKey(name)) {
                    out.append(env.get(name));
                    i = end;
                } else {
                    out.append(c);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String decode(JsonNode base64) {
        return new String(Base64.getDecoder().decode(base64.asText("")), StandardCharsets.UTF_8);
    }

    private static Container.Spec spec(ObjectNode pod, JsonNode c0, Map<String, String> env,
            List<Container.Mount> mounts) {
        List<String> command = new ArrayList<>();
        c0.path("command").forEach(n -> command.add(n.asText()));
        c0.path("args").forEach(n -> command.add(n.asText()));
        JsonNode podSc = pod.path("spec").path("securityContext");
        JsonNode sc = c0.path("securityContext");
        long uid = sc.path("runAsUser").asLong(podSc.path("runAsUser").asLong(DEFAULT_UID));
        long gid = sc.path("runAsGroup").asLong(podSc.path("runAsGroup").asLong(
                sc.has("runAsUser") || podSc.has("runAsUser") ? 0 : DEFAULT_GID));
        Optional<Long> fsGroup = podSc.has("fsGroup") ? Optional.of(podSc.path("fsGroup").asLong())
                : Optional.empty();
        return new Container.Spec(command, env, c0.path("workingDir").asText(""), uid, gid, fsGroup, mounts,
                c0.path("terminationMessagePath").asText("/dev/termination-log"), c0.path("stdin").asBoolean(false));
    }

    /**
     * Gives the claims to the pod's user: with {@code fsGroup}, as the kubelet does, the group owns everything in
     * them and directories get the setgid bit; without, the claim's top directory is chowned to the user.
     */
    private static void prepareClaims(Container.Spec spec) throws IOException {
        for (Container.Mount m : spec.mounts()) {
            if (!m.claim()) {
                continue;
            }
            Files.createDirectories(m.hostDir());
            if (spec.fsGroup().isPresent()) {
                int group = spec.fsGroup().get().intValue();
                try (Stream<Path> all = Files.walk(m.hostDir())) {
                    for (Path p : (Iterable<Path>) all::iterator) {
                        Files.setAttribute(p, "unix:gid", group, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                        int mode = (Integer) Files.getAttribute(p, "unix:mode");
                        int extra = Files.isDirectory(p) ? 0_2070 : 0_060;
                        if (!Files.isSymbolicLink(p)) {
                            Files.setAttribute(p, "unix:mode", mode | extra);
                        }
                    }
                }
            } else {
                Files.setAttribute(m.hostDir(), "unix:uid", (int) spec.uid());
                Files.setAttribute(m.hostDir(), "unix:gid", (int) spec.gid());
            }
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    ExecutorService threads() {
        return threads;
    }

    /** Kills every pod process, deleted pods' too, and waits for them (at most a few seconds each). */
    @Override
    public void close() {
        pods.values().forEach(r -> r.deleting = true);
        for (Container c : live) {
            c.destroy();
        }
        pods.clear();
        timers.shutdownNow();
        threads.shutdownNow();
    }
}
