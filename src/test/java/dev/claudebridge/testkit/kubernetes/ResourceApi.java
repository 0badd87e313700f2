package dev.claudebridge.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Create, get, list and delete for the three core v1 resources the fake serves, with what the API server adds on
 * the way in: defaults on pods, a bound volume for claims, {@code stringData} folded into a Secret's {@code data}.
 * Watches are served by {@link KubeServer} from {@link KubeStore#watch}.
 */
final class ResourceApi {
    /** Plural resource name to kind. */
    static final Map<String, String> KINDS = Map.of(
            "pods", "Pod",
            "persistentvolumeclaims", "PersistentVolumeClaim",
            "secrets", "Secret");

    /** A JSON answer: the HTTP code and the body. */
    record Answer(int code, JsonNode body) {
    }

    private final KubeStore store;
    private final Kubelet kubelet;
    private final Claims claims;

    ResourceApi(KubeStore store, Kubelet kubelet, Claims claims) {
        this.store = store;
        this.kubelet = kubelet;
        this.claims = claims;
    }

    Answer create(String resource, String namespace, ObjectNode body) {
        String kind = KINDS.get(resource);
        if (!body.path("kind").asText(kind).equals(kind)) {
            throw KubeError.badRequest("the API version in the data (" + body.path("apiVersion").asText()
                    + ") does not match the expected API version (v1)");
        }
        ObjectNode meta = body.with("metadata");
        String bodyNamespace = meta.path("namespace").asText("");
        if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(namespace)) {
            throw KubeError.badRequest("the namespace of the provided object does not match the namespace sent on "
                    + "the request");
        }
        if (meta.path("name").asText("").isEmpty()) {
            String generate = meta.path("generateName").asText("");
            if (generate.isEmpty()) {
                throw KubeError.invalid(kind, "", "metadata.name: Required value: name or generateName is required");
            }
            meta.put("name", generate + randomSuffix());
        }
        for (String serverOwned : new String[] {"uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
                "deletionGracePeriodSeconds"}) {
            meta.remove(serverOwned);
        }
        body.put("apiVersion", "v1");
        body.put("kind", kind);
        String name = meta.path("name").asText();
        validate(kind, name, meta);
        switch (resource) {
            case "pods" -> {
                podDefaults(body, name);
                ObjectNode stored = store.create(resource, namespace, body);
                kubelet.admit(stored);
                return new Answer(201, stored);
            }
            case "persistentvolumeclaims" -> {
                if (store.get(resource, namespace, name).isPresent()) {
                    throw KubeError.alreadyExists(resource, name);
                }
                bind(body);
                claims.make(namespace, name);
                return new Answer(201, store.create(resource, namespace, body));
            }
            default -> {
                JsonNode stringData = body.remove("stringData");
                if (stringData != null) {
                    ObjectNode data = body.with("data");
                    stringData.properties().forEach(e -> data.put(e.getKey(), Base64.getEncoder()
                            .encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
                }
                if (!body.has("type")) {
                    body.put("type", "Opaque");
                }
                return new Answer(201, store.create(resource, namespace, body));
            }
        }
    }

    Answer get(String resource, String namespace, String name) {
        return new Answer(200, store.require(resource, namespace, name));
    }

    Answer list(String resource, String namespace, Predicate<JsonNode> filter) {
        KubeStore.Listing listing = store.list(resource, namespace, filter);
        ObjectNode list = KubeJson.object();
        list.put("kind", KINDS.get(resource) + "List");
        list.put("apiVersion", "v1");
        list.putObject("metadata").put("resourceVersion", listing.resourceVersion());
        ArrayNode items = list.putArray("items");
        for (ObjectNode item : listing.items()) {
            // a typed list's items carry no kind or apiVersion in the API server's JSON
            item.remove("kind");
            item.remove("apiVersion");
            items.add(item);
        }
        return new Answer(200, list);
    }

    /**
     * Deletes as the API server does. A pod that runs gets {@code deletionTimestamp} (now + grace) and stays until
     * its process is gone; one that has ended, never started, or is deleted with grace 0 goes at once. The grace is
     * the request's ({@code DeleteOptions} body, else the query), else the pod's
     * {@code terminationGracePeriodSeconds}. The answer is the object, 200, as for the real server.
     */
    Answer delete(String resource, String namespace, String name, Optional<Long> requestedGrace) {
        ObjectNode current = store.require(resource, namespace, name);
        switch (resource) {
            case "pods" -> {
                String phase = current.path("status").path("phase").asText("Pending");
                boolean ended = phase.equals("Succeeded") || phase.equals("Failed");
                boolean started = kubelet.pod(namespace, name).map(r -> r.container != null).orElse(false);
                long grace = requestedGrace.orElse(current.path("spec").path("terminationGracePeriodSeconds")
                        .asLong(30));
                if (current.path("metadata").has("deletionTimestamp")) {
                    if (grace == 0) {
                        kubelet.forget(namespace, name);
                        return new Answer(200, store.remove(resource, namespace, name).orElse(current));
                    }
                    return new Answer(200, current); // already terminating: a longer grace is not taken
                }
                if (ended || grace == 0 || !started) {
                    kubelet.forget(namespace, name);
                    return new Answer(200, store.remove(resource, namespace, name).orElse(current));
                }
                Instant until = Instant.now().plusSeconds(grace);
                ObjectNode marked = store.update(resource, namespace, name, p -> {
                    p.with("metadata").put("deletionTimestamp", KubeJson.time(until));
                    p.with("metadata").put("deletionGracePeriodSeconds", grace);
                }).orElseThrow(() -> KubeError.notFound(resource, name));
                kubelet.terminate(namespace, name, grace);
                return new Answer(200, marked);
            }
            case "persistentvolumeclaims" -> {
                if (Claims.inUse(store, namespace, name)) {
                    ObjectNode marked = store.update(resource, namespace, name, p -> {
                        if (!p.path("metadata").has("deletionTimestamp")) {
                            p.with("metadata").put("deletionTimestamp", KubeJson.time(Instant.now()));
                            p.with("metadata").put("deletionGracePeriodSeconds", 0);
                        }
                    }).orElseThrow(() -> KubeError.notFound(resource, name));
                    return new Answer(200, marked);
                }
                ObjectNode gone = store.remove(resource, namespace, name).orElse(current);
                claims.removeDir(namespace, name);
                return new Answer(200, gone);
            }
            default -> {
                return new Answer(200, store.remove(resource, namespace, name).orElse(current));
            }
        }
    }

    private static final java.util.regex.Pattern SUBDOMAIN = java.util.regex.Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final java.util.regex.Pattern LABEL_VALUE = java.util.regex.Pattern.compile(
            "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final java.util.regex.Pattern LABEL_NAME = java.util.regex.Pattern.compile(
            "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

    /**
     * The API server's checks on names and labels (apimachinery's validation): an object name is an RFC 1123
     * subdomain of at most 253 characters; a label key an optional DNS-subdomain prefix and a name of at most 63;
     * a label value at most 63 characters of {@code [-A-Za-z0-9_.]}, alphanumeric at both ends.
     */
    private static void validate(String kind, String name, JsonNode meta) {
        if (name.length() > 253 || !SUBDOMAIN.matcher(name).matches()) {
            throw KubeError.invalid(kind, name, "metadata.name: Invalid value: \"" + name + "\": a lowercase RFC 1123 "
                    + "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end "
                    + "with an alphanumeric character (e.g. 'example.com', regex used for validation is "
                    + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        }
        meta.path("labels").properties().forEach(e -> {
            String key = e.getKey();
            int slash = key.indexOf('/');
            String prefix = slash < 0 ? "" : key.substring(0, slash);
            String keyName = key.substring(slash + 1);
            if ((slash >= 0 && (prefix.length() > 253 || !SUBDOMAIN.matcher(prefix).matches()))
                    || keyName.length() > 63 || !LABEL_NAME.matcher(keyName).matches()) {
                throw KubeError.invalid(kind, name, "metadata.labels: Invalid value: \"" + key + "\": name part must "
                        + "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                        + "alphanumeric character");
            }
            String value = e.getValue().asText();
            if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
                throw KubeError.invalid(kind, name, "metadata.labels: Invalid value: \"" + value + "\": a valid label "
                        + "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
                        + "start and end with an alphanumeric character (at most 63 characters)");
            }
        });
    }

    /** What the API server's defaulting and admission add to a pod it stores. */
    private static void podDefaults(ObjectNode pod, String name) {
        ObjectNode spec = pod.with("spec");
        JsonNode containers = spec.path("containers");
        if (!containers.isArray() || containers.isEmpty()) {
            throw KubeError.invalid("Pod", name, "spec.containers: Required value");
        }
        for (int i = 0; i < containers.size(); i++) {
            ObjectNode c = (ObjectNode) containers.get(i);
            if (c.path("name").asText("").isEmpty()) {
                throw KubeError.invalid("Pod", name, "spec.containers[" + i + "].name: Required value");
            }
            if (c.path("image").asText("").isEmpty()) {
                throw KubeError.invalid("Pod", name, "spec.containers[" + i + "].image: Required value");
            }
            putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
            putIfAbsent(c, "terminationMessagePolicy", "File");
            String image = c.path("image").asText();
            putIfAbsent(c, "imagePullPolicy", image.contains("@") || (image.lastIndexOf(':') > image.lastIndexOf('/')
                    && !image.endsWith(":latest")) ? "IfNotPresent" : "Always");
            if (!c.has("resources")) {
                c.putObject("resources");
            }
        }
        putIfAbsent(spec, "restartPolicy", "Always");
        if (!spec.has("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30);
        }
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        putIfAbsent(spec, "serviceAccountName", "default");
        putIfAbsent(spec, "serviceAccount", spec.path("serviceAccountName").asText());
        if (!spec.has("securityContext")) {
            spec.putObject("securityContext");
        }
        if (!spec.has("enableServiceLinks")) {
            spec.put("enableServiceLinks", true);
        }
        if (!spec.has("priority")) {
            spec.put("priority", 0);
        }
        putIfAbsent(spec, "preemptionPolicy", "PreemptLowerPriority");
        if (!spec.has("tolerations")) {
            ArrayNode t = spec.putArray("tolerations");
            for (String taint : new String[] {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
                ObjectNode o = t.addObject();
                o.put("key", taint);
                o.put("operator", "Exists");
                o.put("effect", "NoExecute");
                o.put("tolerationSeconds", 300);
            }
        }
        ObjectNode status = KubeJson.object();
        status.put("phase", "Pending");
        boolean anyResources = false;
        for (JsonNode c : containers) {
            anyResources |= !c.path("resources").isEmpty();
        }
        status.put("qosClass", anyResources ? "Burstable" : "BestEffort");
        pod.set("status", status);
    }

    /** A claim is bound at once to a volume named after its uid, as a dynamic provisioner would bind it. */
    private static void bind(ObjectNode pvc) {
        String uid = UUID.randomUUID().toString();
        ObjectNode meta = pvc.with("metadata");
        meta.put("uid", uid);
        meta.putArray("finalizers").add("kubernetes.io/pvc-protection");
        ObjectNode annotations = meta.with("annotations");
        annotations.put("pv.kubernetes.io/bind-completed", "yes");
        annotations.put("pv.kubernetes.io/bound-by-controller", "yes");
        ObjectNode spec = pvc.with("spec");
        putIfAbsent(spec, "storageClassName", "standard");
        putIfAbsent(spec, "volumeMode", "Filesystem");
        spec.put("volumeName", "pvc-" + uid);
        ObjectNode status = KubeJson.object();
        status.put("phase", "Bound");
        ArrayNode modes = status.putArray("accessModes");
        spec.path("accessModes").forEach(modes::add);
        JsonNode size = spec.path("resources").path("requests").path("storage");
        if (!size.isMissingNode()) {
            status.putObject("capacity").set("storage", size);
        }
        pvc.set("status", status);
    }

    private static void putIfAbsent(ObjectNode o, String field, String value) {
        if (!o.hasNonNull(field)) {
            o.put(field, value);
        }
    }

    /** The API server's five characters for {@code generateName} (consonants and digits). */
    private static String randomSuffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            s.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
