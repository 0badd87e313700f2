package dev.claudebridge.core.session;

import dev.claudebridge.core.port.AgentEvent;
import dev.claudebridge.core.port.AgentExit;
import dev.claudebridge.core.port.AgentPermission;
import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.AgentSession;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.ContextUsage;
import dev.claudebridge.core.port.ResumeRefused;
import dev.claudebridge.core.port.Resumability;
import dev.claudebridge.core.port.SessionFiles;
import dev.claudebridge.core.port.TurnOutcome;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The agent runtime as a port fake for the core's unit tests: every start, every prompt and every stop waits until the
 * test completes it by hand, so a test decides the order in which things happen.
 */
public final class FakeAgents implements AgentRuntime {

    /** One start the core asked for. */
    public static final class Start {
        final Spec spec;
        final Sinks.One<AgentSession> result = Sinks.one();

        Start(Spec spec) {
            this.spec = spec;
        }

        public Agent succeed() {
            Agent agent = new Agent();
            result.tryEmitValue(agent);
            return agent;
        }

        void fail(String why) {
            result.tryEmitError(new AgentExit(why, false, List.of()));
        }

        /** The agent refused the conversation this start was to resume. */
        void refuseResume(String why) {
            result.tryEmitError(new ResumeRefused(why));
        }
    }

    /** One live agent. */
    static final class Agent implements AgentSession {
        final Sinks.Many<AgentEvent> events = Sinks.many().multicast().directBestEffort();
        final Sinks.Many<AgentPermission> permissions = Sinks.many().multicast().directBestEffort();
        final Sinks.One<AgentExit> exit = Sinks.one();
        final List<Sinks.One<TurnOutcome>> turns = new CopyOnWriteArrayList<>();
        final List<String> prompts = new CopyOnWriteArrayList<>();
        /** The images sent with each prompt, in the order of {@link #prompts}. */
        final List<List<Image>> images = new CopyOnWriteArrayList<>();
        final AtomicBoolean stopRequested = new AtomicBoolean();
        volatile int interrupts;
        /** What {@link #contextUsage()} answers; by default the agent cannot say. */
        volatile Mono<ContextUsage> context = Mono.empty();

        @Override
        public Flux<AgentEvent> events() {
            return events.asFlux();
        }

        @Override
        public Flux<AgentPermission> permissions() {
            return permissions.asFlux();
        }

        @Override
        public Mono<TurnOutcome> send(String prompt, List<Image> sent) {
            return Mono.defer(() -> {
                images.add(List.copyOf(sent));
                return sendText(prompt);
            });
        }

        @Override
        public Mono<TurnOutcome> send(String prompt) {
            images.add(List.of());
            return sendText(prompt);
        }

        private Mono<TurnOutcome> sendText(String prompt) {
            Sinks.One<TurnOutcome> turn = Sinks.one();
            prompts.add(prompt);
            turns.add(turn);
            return turn.asMono().or(exit.asMono().flatMap(Mono::error));
        }

        /** Ends the newest turn as a success costing {@code cost}. */
        void finishTurn(String cost) {
            turns.getLast().tryEmitValue(new TurnOutcome(false, false, "", new BigDecimal(cost), 10, 5,
                    Duration.ofMillis(10)));
        }

        @Override
        public Mono<Void> interrupt() {
            return Mono.fromRunnable(() -> interrupts++);
        }

        @Override
        public Mono<ContextUsage> contextUsage() {
            return Mono.defer(() -> context);
        }

        @Override
        public Mono<AgentExit> exit() {
            return exit.asMono();
        }

        void die(String why) {
            exit.tryEmitValue(new AgentExit(why, false, List.of()));
        }

        @Override
        public Mono<AgentExit> stop() {
            return Mono.defer(() -> {
                stopRequested.set(true);
                AgentExit stopped = new AgentExit("stopped", true, List.of());
                turns.forEach(t -> t.tryEmitValue(new TurnOutcome(true, true, "interrupted", BigDecimal.ZERO, 0, 0,
                        Duration.ZERO)));
                exit.tryEmitValue(stopped);
                return exit.asMono();
            });
        }

        @Override
        public boolean stopRequested() {
            return stopRequested.get();
        }

        @Override
        public Optional<String> conversationId() {
            return Optional.of("conversation-1");
        }

        /** What /model and /mode told this agent, as "model:x" and "mode:y", in order. */
        final List<String> changes = new CopyOnWriteArrayList<>();
        /** When set, the next change is refused with this text, as the CLI would. */
        volatile String refuseNextChange;

        @Override
        public Mono<Void> setModel(String model) {
            return change("model:" + model);
        }

        @Override
        public Mono<Void> setPermissionMode(String mode) {
            return change("mode:" + mode);
        }

        private Mono<Void> change(String what) {
            return Mono.defer(() -> {
                String refusal = refuseNextChange;
                if (refusal != null) {
                    refuseNextChange = null;
                    return Mono.error(new IllegalArgumentException(refusal));
                }
                changes.add(what);
                return Mono.empty();
            });
        }
    }

    /** A permission request the test answers or lets time out; records how the core answered it. */
    static final class Permission implements AgentPermission {
        private final String id;
        private final String tool;
        private final Map<String, Object> input;
        private final Sinks.One<Outcome> outcome = Sinks.one();
        volatile String denial;

        Permission(String id, String tool, Map<String, Object> input) {
            this.id = id;
            this.tool = tool;
            this.input = input;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String toolName() {
            return tool;
        }

        @Override
        public Map<String, Object> input() {
            return input;
        }

        @Override
        public Mono<Void> allow() {
            return end(Outcome.ALLOWED);
        }

        @Override
        public Mono<Void> allow(Map<String, Object> updatedInput) {
            return end(Outcome.ALLOWED);
        }

        @Override
        public Mono<Void> allowForSession() {
            return end(Outcome.ALLOWED_FOR_SESSION);
        }

        /** The plan an ExitPlanMode request shows, as the agent found it. */
        volatile Optional<String> plan = Optional.empty();

        @Override
        public Optional<String> plan() {
            return plan;
        }

        /** The mode an approval set with it, if any. */
        volatile String modeSet;

        @Override
        public Mono<Void> allowSettingMode(String mode) {
            return Mono.defer(() -> {
                modeSet = mode;
                return end(Outcome.ALLOWED);
            });
        }

        @Override
        public Optional<String> sessionRule() {
            return Optional.of(tool);
        }

        @Override
        public String inputJson() {
            return input.toString();
        }

        @Override
        public Mono<Void> deny(String message) {
            return Mono.defer(() -> {
                denial = message;
                return end(Outcome.DENIED);
            });
        }

        @Override
        public Mono<Outcome> outcome() {
            return outcome.asMono();
        }

        /** A second answer fails, as the port says. */
        private Mono<Void> end(Outcome how) {
            return Mono.defer(() -> outcome.tryEmitValue(how).isSuccess() ? Mono.empty()
                    : Mono.error(new IllegalStateException("already answered")));
        }
    }

    public final List<Start> starts = new CopyOnWriteArrayList<>();
    volatile Resumability resumability = Resumability.POSSIBLE;
    /** The sessions' files; none unless a test gives some. */
    volatile SessionFiles files = SessionFiles.unsupported("no files in this test");

    @Override
    public SessionFiles files() {
        return files;
    }

    @Override
    public Mono<AgentSession> start(Spec spec) {
        return Mono.defer(() -> {
            Start start = new Start(spec);
            starts.add(start);
            return start.result.asMono();
        });
    }

    @Override
    public Mono<AgentVersion> version() {
        return Mono.just(AgentVersion.UNKNOWN);
    }

    @Override
    public Mono<Resumability> resumability(String conversationId) {
        return Mono.just(resumability);
    }

    @Override
    public Mono<Integer> stopLeftovers() {
        return Mono.just(0);
    }

    /** The sessions the core said had ended, as platform:thread. */
    public final List<String> ended = new CopyOnWriteArrayList<>();

    @Override
    public Mono<Void> sessionEnded(String platform, String threadId) {
        return Mono.fromRunnable(() -> ended.add(platform + ":" + threadId));
    }
}
