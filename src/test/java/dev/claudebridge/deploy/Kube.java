package dev.claudebridge.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with {@code kubectl kustomize} and parses what it prints with the official Kubernetes Java
 * models (io.kubernetes:client-java-api). Their generated {@code fromJson} validates the JSON against the model's
 * declared fields at every level and throws on a field it does not know, so a misspelled field fails here instead of
 * being dropped silently (the fabric8 models would keep it in an "additionalProperties" map even with Jackson's
 * FAIL_ON_UNKNOWN_PROPERTIES, because of their any-setter).
 */
final class Kube {

    @FunctionalInterface
    interface Parser {
        Object parse(String json) throws IOException;
    }

    /** The kinds the manifests may use; another kind fails the check until it is added here. */
    static final Map<String, Parser> KINDS = Map.ofEntries(
            Map.entry("v1/Namespace", V1Namespace::fromJson),
            Map.entry("v1/Secret", V1Secret::fromJson),
            Map.entry("v1/ConfigMap", V1ConfigMap::fromJson),
            Map.entry("v1/Service", V1Service::fromJson),
            Map.entry("apps/v1/StatefulSet", V1StatefulSet::fromJson),
            Map.entry("networking.k8s.io/v1/NetworkPolicy",
                    io.kubernetes.client.openapi.models.V1NetworkPolicy::fromJson),
            // k8s/session-pods: the bot's API identity and rights, and the session namespace's bounds.
            Map.entry("v1/ServiceAccount", V1ServiceAccount::fromJson),
            Map.entry("rbac.authorization.k8s.io/v1/Role", V1Role::fromJson),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", V1RoleBinding::fromJson),
            Map.entry("v1/ResourceQuota", V1ResourceQuota::fromJson),
            Map.entry("v1/LimitRange", V1LimitRange::fromJson));

    private static final ObjectMapper JSON = new ObjectMapper();

    private Kube() {
    }

    /** {@code kubectl kustomize <dir>}; a missing kubectl fails (never skips) the calling test. */
    /**
     * Writes into {@code dir} an overlay as the docs tell an operator to: {@code k8s/} plus the component
     * {@code k8s/<component>}, then {@code extra} lines of kustomization ({@code @COMPONENT@} in them: the component's
     * path from {@code dir}); returns {@code dir}.
     */
    static Path overlay(Path dir, String component, String extra) throws IOException {
        String base = dir.relativize(Repo.path("k8s")).toString();
        String path = dir.relativize(Repo.path("k8s/" + component)).toString();
        java.nio.file.Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - %s
                components:
                  - %s
                """.formatted(base, path) + extra.replace("@COMPONENT@", path));
        return dir;
    }

    static String render(Path dir) throws IOException, InterruptedException {
        Path stderr = Files.createTempFile("kustomize", ".err");
        try {
            Process process;
            try {
                process = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                        .redirectError(stderr.toFile())
                        .start();
            } catch (IOException e) {
                throw new AssertionError("kubectl is required to render k8s/ (bash .ci/run installs it): "
                        + e.getMessage(), e);
            }
            process.getOutputStream().close();
            String out;
            try (InputStream in = process.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " exited with " + process.exitValue() + ": "
                        + Files.readString(stderr));
            }
            return out;
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    /** One YAML document as JSON, for a model's strict {@code fromJson} (a Pod kept as a string in a ConfigMap). */
    static String json(String yaml) throws IOException {
        return JSON.writeValueAsString(new YAMLMapper().readTree(yaml));
    }

    /** Every object of a multi-document YAML stream, each parsed strictly into its model class. */
    static List<Object> parseAll(String yaml) throws IOException {
        YAMLMapper mapper = new YAMLMapper();
        List<Object> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = mapper.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isEmpty()) {
                    continue;
                }
                String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
                Parser parser = KINDS.get(key);
                if (parser == null) {
                    throw new AssertionError("no model for " + key + " (add it to Kube.KINDS)");
                }
                objects.add(parser.parse(JSON.writeValueAsString(doc)));
            }
        }
        return objects;
    }
}
