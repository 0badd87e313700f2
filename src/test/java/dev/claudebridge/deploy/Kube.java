package dev.claudebridge.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
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
    static final Map<String, Parser> KINDS = Map.of(
            "v1/Namespace", V1Namespace::fromJson,
            "v1/Secret", V1Secret::fromJson,
            "v1/ConfigMap", V1ConfigMap::fromJson,
            "v1/Service", V1Service::fromJson,
            "apps/v1/StatefulSet", V1StatefulSet::fromJson,
            "networking.k8s.io/v1/NetworkPolicy", io.kubernetes.client.openapi.models.V1NetworkPolicy::fromJson);

    private static final ObjectMapper JSON = new ObjectMapper();

    private Kube() {
    }

    /** {@code kubectl kustomize <dir>}; a missing kubectl fails (never skips) the calling test. */
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
