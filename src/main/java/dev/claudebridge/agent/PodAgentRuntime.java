package dev.claudebridge.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.kubernetes.PodChannel;
import dev.claudebridge.agent.kubernetes.PodFiles;
import dev.claudebridge.agent.kubernetes.PodPosition;
import dev.claudebridge.agent.kubernetes.SessionPods;
import dev.claudebridge.agent.process.BotSettings;
import dev.claudebridge.agent.process.CliCommand;
import dev.claudebridge.agent.process.CliEnvironment;
import dev.claudebridge.agent.process.CliStartException;
import dev.claudebridge.agent.process.ProcessLimits;
import dev.claudebridge.agent.session.ClaudeLauncher;
import dev.claudebridge.agent.session.ClaudeSession;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.config.KubernetesConfig;
import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.AgentSession;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.Resumability;
import dev.claudebridge.core.port.SessionFiles;
import dev.claudebridge.core.port.SessionStore;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The {@code claude} CLI in a pod of its own per session ({@code AGENT_RUNTIME=kubernetes}, docs/deploy.md): the
 * session's claim (made once, kept while the session lives) holds its working directory and the CLI's state, so a
 * new pod resumes the conversation; the bot talks to the CLI through the pod's log and attach ({@link PodChannel}).
 * Every call to the API server blocks (the fabric8 client), so each runs on {@code blocking}.
 */
public final class PodAgentRuntime implements AgentRuntime {

    private static final Logger log = LoggerFactory.getLogger(PodAgentRuntime.class);
    /** Scheduling, pulling the image and starting the container; a pod not running by then is deleted. */
    static final Duration POD_START = Duration.ofMinutes(3);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KubernetesClient client;
    private final KubernetesConfig settings;
    private final SessionPods pods;
    private final ClaudeLauncher launcher;
    private final ObjectMapper mapper;
    private final Map<String, String> environment;
    private final String botSettings;
    private final boolean bypassAllowed;
    private final Path workspaceRoot;
    private final ClaudeAgentRuntime.StopTimes stopTimes;
    private final Scheduler blocking;
    private final Clock clock;
    private final int maxLineBytes;
    private final SessionStore store;
    private final PodFiles files;

    /** @param store where the turns of session pods a restarted bot takes up again are recorded */
    public PodAgentRuntime(BridgeConfig config, KubernetesConfig settings, KubernetesClient client,
            ObjectMapper mapper, Scheduler blocking, Clock clock, SessionStore store) {
        this.client = client;
        this.store = store;
        this.settings = settings;
        this.pods = new SessionPods(settings, template(client, settings.podTemplate()));
        this.mapper = mapper;
        this.blocking = blocking;
        this.clock = clock;
        this.maxLineBytes = config.maxLineBytes();
        this.workspaceRoot = config.workspaceRoot();
        this.stopTimes = new ClaudeAgentRuntime.StopTimes(config.interruptWait(), config.stopGrace(),
                config.killAfter());
        this.launcher = new ClaudeLauncher(mapper, new ProcessLimits(config.maxLineBytes(), 256), blocking, clock,
                Duration.ofSeconds(30));
        // The CLI's allowlisted environment, without the model credentials (the pod gets them from the Secret in
        // its namespace, never from the bot) and with paths of the pod, not of the bot.
        Map<String, String> env = new HashMap<>(CliEnvironment.build(config.environment(),
                config.claudeEnvPassthrough(), Path.of(pods.configDir()), Path.of(settings.mountPath(), "tmp")));
        env.keySet().removeAll(List.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "PATH", "HOME"));
        this.environment = Map.copyOf(env);
        // Deny the file tools the CLI's kept conversations, as in the embedded runtime; the pod has no bot data.
        this.bypassAllowed = config.allowBypassPermissions();
        this.botSettings = BotSettings.json(mapper, Path.of(settings.mountPath(), "no-bot-data"),
                Path.of(pods.configDir()), bypassAllowed);
        this.files = new PodFiles(client, settings.namespace(), pods, dir -> pods.workDir(relative(dir)), blocking);
    }

    private static Pod template(KubernetesClient client, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return client.getKubernetesSerialization().unmarshal(in, Pod.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("SESSION_POD_TEMPLATE: cannot read a v1 Pod from " + file + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Mono<AgentSession> start(Spec spec) {
        String key = SessionPods.key(spec.platform(), spec.threadId());
        Mono<ClaudeAgentSession> started = Mono.fromCallable(() -> startPod(spec, key))
                .subscribeOn(blocking)
                .flatMap(name -> PodChannel.attach(name, client.pods().inNamespace(settings.namespace())
                                .withName(name), blocking, clock, maxLineBytes, 256)
                        .onErrorResume(e -> Mono.fromCallable(() -> attachFailed(name, e)).subscribeOn(blocking)
                                .flatMap(Mono::error)))
                .map(channel -> new ClaudeAgentSession(launcher.session(channel), mapper, stopTimes,
                        PodAgentRuntime::position));
        if (spec.resumeId().isEmpty()) {
            return started.cast(AgentSession.class);
        }
        return started.flatMap(agent -> agent.ready().thenReturn((AgentSession) agent)
                .onErrorResume(e -> agent.stop().then(Mono.error(e))));
    }

    /** Where a session's output stands: its pod, the bot's place in the pod's log, the process's figures. */
    private static Optional<String> position(ClaudeSession session) {
        if (!(session.process() instanceof PodChannel pod)) {
            return Optional.empty();
        }
        ClaudeSession.Figures figures = session.figures();
        return Optional.of(pod.position(figures.costUsd(), figures.tokensIn(), figures.tokensOut()).format());
    }

    /**
     * The pod a previous run of the bot left in the middle of a turn, attached to again: its log is replayed from
     * {@code position} (every line after it, once) when the session calls {@code resumeTurn()}, and its stdin taken up
     * again. Fails when the pod is gone or belongs to another session.
     */
    @Override
    public Mono<AgentSession> reattach(Spec spec, String position) {
        String key = SessionPods.key(spec.platform(), spec.threadId());
        return Mono.justOrEmpty(PodPosition.parse(position))
                .switchIfEmpty(Mono.error(() -> new CliStartException("not a session pod's position: " + position)))
                .flatMap(at -> Mono.fromCallable(() -> {
                            PodResource pod = client.pods().inNamespace(settings.namespace()).withName(at.pod());
                            Pod found = pod.get();
                            if (found == null || found.getMetadata().getDeletionTimestamp() != null
                                    || !key.equals(found.getMetadata().getLabels().get(SessionPods.POD_OF))) {
                                throw new CliStartException("the session's pod " + at.pod() + " is gone");
                            }
                            return pod;
                        }).subscribeOn(blocking)
                        .flatMap(pod -> PodChannel.reattach(pod, blocking, clock, maxLineBytes, 256, at))
                        .map(channel -> (AgentSession) new ClaudeAgentSession(launcher.adopt(channel,
                                new ClaudeSession.Figures(at.costUsd(), at.tokensIn(), at.tokensOut())), mapper,
                                stopTimes, PodAgentRuntime::position))
                        .doOnNext(a -> log.atInfo().addKeyValue("thread", spec.threadId())
                                .log("re-attached to session pod {}", at.pod())));
    }

    /** Makes the claim if the session has none, then a pod, and waits until its container runs. */
    private String startPod(Spec spec, String key) {
        var claims = client.persistentVolumeClaims().inNamespace(settings.namespace());
        if (claims.withName(SessionPods.claimName(key)).get() == null) {
            claims.resource(pods.claim(key)).create();
        }
        var inNamespace = client.pods().inNamespace(settings.namespace());
        // An earlier pod of this session that still stands (its CLI ended, or a stop that did not finish) goes.
        inNamespace.withLabel(SessionPods.POD_OF, key).list().getItems()
                .forEach(p -> inNamespace.withName(p.getMetadata().getName()).withGracePeriod(0).delete());
        String relative = relative(spec.workDir());
        CliCommand command = CliCommand.of(settings.claudeBin(), Path.of(pods.workDir(relative)), environment)
                .withSettings(botSettings);
        command = spec.model().map(command::withModel).orElse(command);
        command = spec.resumeId().map(command::withResume).orElse(command);
        command = spec.permissionMode().map(command::withPermissionMode).orElse(command);
        command = bypassAllowed ? command.withBypassAllowed() : command;
        // A name of its own: an old pod of the session may still be terminating under the previous one, and a log
        // or watch asked by name must never reach another pod.
        String name = "claude-session-" + key + "-" + HexFormat.of().toHexDigits(RANDOM.nextInt()).substring(0, 6);
        inNamespace.resource(pods.pod(name, key, command, pods.workDir(relative), environment,
                Map.of("claude-bridge/platform", spec.platform(), "claude-bridge/thread", spec.threadId())))
                .create();
        PodResource pod = inNamespace.withName(name);
        try {
            Pod up = pod.waitUntilCondition(p -> p == null || running(p) || PodChannel.terminatedState(p)
                    .isPresent() || stuck(p).isPresent(), POD_START.toMillis(), TimeUnit.MILLISECONDS);
            Optional<String> why = up == null ? Optional.of("it was deleted") : stuck(up)
                    .or(() -> PodChannel.terminatedState(up).map(t -> "its container ended at once (exit "
                            + t.getExitCode() + ", " + t.getReason() + "): " + Optional.ofNullable(t.getMessage())
                            .orElse("").strip()));
            if (why.isPresent()) {
                pod.withGracePeriod(0).delete();
                throw new CliStartException("the session's pod " + name + " did not start: " + why.get());
            }
        } catch (RuntimeException e) {
            if (e instanceof CliStartException) {
                throw e;
            }
            pod.withGracePeriod(0).delete();
            throw new CliStartException("the session's pod " + name + " did not start within " + POD_START
                    .toSeconds() + " s: " + e.getMessage());
        }
        log.atInfo().addKeyValue("thread", spec.threadId()).log("session pod {} running", name);
        return name;
    }

    /**
     * Why the pod could not be attached to, as the thread should say it: a CLI that ended at once (its exit and last
     * stderr lines, which the pod's status holds) rather than the attach's own error.
     */
    private RuntimeException attachFailed(String name, Throwable error) {
        Pod p = client.pods().inNamespace(settings.namespace()).withName(name).get();
        Optional<String> ended = Optional.ofNullable(p).flatMap(PodChannel::terminatedState)
                .map(t -> "its CLI ended at once (exit " + t.getExitCode() + ", " + t.getReason() + ")"
                        + Optional.ofNullable(t.getMessage()).filter(m -> !m.isBlank()).map(m -> ": " + m.strip())
                        .orElse(""));
        return new CliStartException("the session's pod " + name + " could not be attached to: "
                + ended.orElse(p == null ? "it is gone" : error.toString()));
    }

    /** The session's directory relative to the workspace: the same directory on the session's claim. */
    private String relative(Path workDir) {
        Path abs = workDir.toAbsolutePath().normalize();
        return abs.startsWith(workspaceRoot) ? workspaceRoot.relativize(abs).toString() : "";
    }

    private static boolean running(Pod p) {
        return containerStatus(p).map(s -> s.getState() != null && s.getState().getRunning() != null)
                .orElse(false);
    }

    /** A waiting reason that will not pass by itself (a missing Secret, an image that cannot be pulled). */
    private static Optional<String> stuck(Pod p) {
        return containerStatus(p).map(ContainerStatus::getState)
                .filter(s -> s != null && s.getWaiting() != null)
                .map(s -> s.getWaiting())
                .filter(w -> List.of("CreateContainerConfigError", "ErrImagePull", "ImagePullBackOff",
                        "InvalidImageName", "CreateContainerError").contains(w.getReason()))
                .map(w -> w.getReason() + ": " + Optional.ofNullable(w.getMessage()).orElse(""));
    }

    private static Optional<ContainerStatus> containerStatus(Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return p.getStatus().getContainerStatuses().stream()
                .filter(s -> SessionPods.CONTAINER.equals(s.getName())).findFirst();
    }

    /**
     * The CLI is the image's, which the bot cannot run itself: its version is known only from a session's
     * {@code system/init}.
     */
    @Override
    public Mono<AgentVersion> version() {
        return Mono.just(new AgentVersion("in the session image", Optional.empty()));
    }

    /**
     * The conversation lives on the session's claim, which the bot cannot read without a pod: a resume is tried, and
     * a CLI that does not have the conversation refuses it ({@code ResumeRefused}), after which the core starts
     * afresh.
     */
    @Override
    public Mono<Resumability> resumability(String conversationId) {
        return Mono.just(Resumability.POSSIBLE);
    }

    /**
     * The working directory is on the session's claim, which the bot cannot mount: attachments and {@code /download}
     * go through {@code pods/exec} into a pod that mounts it ({@link PodFiles}).
     */
    @Override
    public SessionFiles files() {
        return files;
    }

    /** An ended session's pods and claim are deleted (its conversation stays in the store: /export still works). */
    @Override
    public Mono<Void> sessionEnded(String platform, String threadId) {
        String key = SessionPods.key(platform, threadId);
        return Mono.fromRunnable(() -> {
            // By name, one by one: a delete by label is a deletecollection, which the bot's Role does not grant.
            var inNamespace = client.pods().inNamespace(settings.namespace());
            inNamespace.withLabel(SessionPods.SESSION, key).list().getItems()
                    .forEach(p -> inNamespace.withName(p.getMetadata().getName()).withGracePeriod(0).delete());
            client.persistentVolumeClaims().inNamespace(settings.namespace()).withName(SessionPods.claimName(key))
                    .delete();
            log.atInfo().addKeyValue("thread", threadId).log("session ended: its claim {} deleted",
                    SessionPods.claimName(key));
        }).subscribeOn(blocking).then();
    }

    /**
     * Session pods a crashed or restarted bot left are deleted (their claims stay, so each session resumes its
     * conversation in a new pod when addressed), except the pods of turns the store records as running: the restore
     * re-attaches to those. A pod of a session the store does not know goes with the rest.
     */
    @Override
    public Mono<Integer> stopLeftovers() {
        return store.runningTurns()
                .flatMapIterable(t -> PodPosition.parse(t.agentPosition()).map(PodPosition::pod).stream().toList())
                .collect(java.util.stream.Collectors.toSet())
                .flatMap(kept -> Mono.fromCallable(() -> {
                    var inNamespace = client.pods().inNamespace(settings.namespace());
                    List<Pod> left = inNamespace.withLabel(SessionPods.MANAGED_BY, "claude-bridge").list().getItems()
                            .stream().filter(p -> !kept.contains(p.getMetadata().getName())).toList();
                    left.forEach(p -> inNamespace.withName(p.getMetadata().getName())
                            .withGracePeriod(Math.max(1, stopTimes.grace().plus(stopTimes.killAfter()).toSeconds()))
                            .delete());
                    return left.size();
                }).subscribeOn(blocking));
    }
}
