package dev.claudebridge.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A pod's {@code status} as the kubelet writes it at each step: Pending (the container waiting, with its reason),
 * Running (started, Ready), Succeeded or Failed (the terminated state with exit code, reason, message and times),
 * each with the five conditions a v1.29+ kubelet reports.
 */
final class PodStatus {
    private PodStatus() {
    }


    static void pending(ObjectNode pod, Kubelet.Running r, Instant now, String reason, String message) {
        ObjectNode status = pod.with("status");
        status.put("phase", "Pending");
        ArrayNode conditions = status.putArray("conditions");
        condition(conditions, "PodReadyToStartContainers", "True", null, null);
        condition(conditions, "Initialized", "True", null, null);
        condition(conditions, "Ready", "False", "ContainersNotReady", "containers with unready status: ["
                + containerName(pod) + "]");
        condition(conditions, "ContainersReady", "False", "ContainersNotReady", "containers with unready status: ["
                + containerName(pod) + "]");
        condition(conditions, "PodScheduled", "True", null, null);
        node(status);
        status.put("startTime", KubeJson.time(now));
        ObjectNode waiting = KubeJson.object();
        waiting.put("reason", reason);
        if (message != null) {
            waiting.put("message", message);
        }
        ObjectNode cs = containerStatus(pod, r, false);
        cs.remove("containerID");
        cs.put("imageID", "");
        cs.putObject("state").set("waiting", waiting);
        status.putArray("containerStatuses").add(cs);
    }

    static void running(ObjectNode pod, Kubelet.Running r, Container c) {
        ObjectNode status = pod.with("status");
        status.put("phase", "Running");
        ArrayNode conditions = status.putArray("conditions");
        condition(conditions, "PodReadyToStartContainers", "True", null, null);
        condition(conditions, "Initialized", "True", null, null);
        condition(conditions, "Ready", "True", null, null);
        condition(conditions, "ContainersReady", "True", null, null);
        condition(conditions, "PodScheduled", "True", null, null);
        ObjectNode cs = containerStatus(pod, r, true);
        cs.put("started", true);
        cs.putObject("state").putObject("running").put("startedAt", KubeJson.time(c.startedAt()));
        status.putArray("containerStatuses").add(cs);
    }

    static void terminated(ObjectNode pod, Kubelet.Running r, Container c, int code, String reason, String message,
            Instant finished) {
        ObjectNode status = pod.with("status");
        status.put("phase", code == 0 ? "Succeeded" : "Failed");
        ArrayNode conditions = status.putArray("conditions");
        condition(conditions, "PodReadyToStartContainers", "False", null, null);
        condition(conditions, "Initialized", "True", null, null);
        condition(conditions, "Ready", "False", "PodCompleted", null);
        condition(conditions, "ContainersReady", "False", "PodCompleted", null);
        condition(conditions, "PodScheduled", "True", null, null);
        if (r.oomKilled) {
            // no memory limit is enforced here: the OOM kill is simulated, and says so
            status.put("message", "OOMKilled simulated by FakeKubernetes.markOomKilled (SIGKILL, no memory limit)");
        }
        ObjectNode cs = containerStatus(pod, r, false);
        cs.put("started", false);
        ObjectNode t = cs.putObject("state").putObject("terminated");
        t.put("exitCode", code);
        t.put("reason", reason);
        if (!message.isEmpty()) {
            t.put("message", message);
        }
        t.put("startedAt", KubeJson.time(c.startedAt()));
        t.put("finishedAt", KubeJson.time(finished));
        t.put("containerID", "containerd://" + r.containerId);
        status.putArray("containerStatuses").add(cs);
    }

    private static ObjectNode containerStatus(ObjectNode pod, Kubelet.Running r, boolean ready) {
        JsonNode c0 = pod.path("spec").path("containers").path(0);
        ObjectNode cs = KubeJson.object();
        cs.put("name", c0.path("name").asText());
        cs.putObject("state");
        cs.putObject("lastState");
        cs.put("ready", ready);
        cs.put("restartCount", 0);
        cs.put("image", c0.path("image").asText(""));
        cs.put("imageID", "sha256:" + r.containerId);
        cs.put("containerID", "containerd://" + r.containerId);
        cs.put("started", ready);
        return cs;
    }

    private static void node(ObjectNode status) {
        status.put("hostIP", "127.0.0.1");
        status.putArray("hostIPs").addObject().put("ip", "127.0.0.1");
        status.put("podIP", "127.0.0.1");
        status.putArray("podIPs").addObject().put("ip", "127.0.0.1");
    }

    static void condition(ArrayNode conditions, String type, String value, String reason, String message) {
        ObjectNode c = conditions.addObject();
        c.put("type", type);
        c.put("status", value);
        c.putNull("lastProbeTime");
        c.put("lastTransitionTime", KubeJson.time(Instant.now()));
        if (reason != null) {
            c.put("reason", reason);
        }
        if (message != null) {
            c.put("message", message);
        }
    }

    static String containerName(JsonNode pod) {
        return pod.path("spec").path("containers").path(0).path("name").asText();
    }

}
