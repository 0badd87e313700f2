package dev.claudebridge.core.session;

import dev.claudebridge.core.port.AgentEvent;
import dev.claudebridge.core.port.AgentExit;
import dev.claudebridge.core.port.AgentPermission;
import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.AgentSession;
import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.TurnOutcome;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
    }

    /** One live agent. */
    static final class Agent implements AgentSession {
        final Sinks.Many<AgentEvent> events = Sinks.many().multicast().directBestEffort();
        final Sinks.Many<AgentPermission> permissions = Sinks.many().multicast().directBestEffort();
        final Sinks.One<AgentExit> exit = Sinks.one();
        final List<Sinks.One<TurnOutcome>> turns = new CopyOnWriteArrayList<>();
        final List<String> prompts = new CopyOnWriteArrayList<>();
        final AtomicBoolean stopRequested = new AtomicBoolean();
        volatile int interrupts;

        @Override
        public Flux<AgentEvent> events() {
            return events.asFlux();
        }

        @Override
        public Flux<AgentPermission> permissions() {
            return permissions.asFlux();
        }

        @Override
        public Mono<TurnOutcome> send(String prompt) {
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
        public Mono<Void> ready() {
            return Mono.empty();
        }

        @Override
        public Mono<Void> interrupt() {
            return Mono.fromRunnable(() -> interrupts++);
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

        @Override
        public long pid() {
            return 4242;
        }

        @Override
        public Optional<Instant> startedAt() {
            return Optional.empty();
        }
    }

    public final List<Start> starts = new CopyOnWriteArrayList<>();
    volatile boolean resumable = true;

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
    public Mono<Boolean> canResume(String sessionId) {
        return Mono.just(resumable);
    }
}
