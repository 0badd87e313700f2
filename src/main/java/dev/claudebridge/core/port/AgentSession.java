package dev.claudebridge.core.port;

import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** One live agent process seen by the core. */
public interface AgentSession {

    /** The main conversation's events from now on (hot). */
    Flux<AgentEvent> events();

    /** Each tool permission request, once, as it arrives (hot). */
    Flux<AgentPermission> permissions();

    /** Sends a prompt; ends with the turn's outcome, or fails with {@link AgentExit} if the agent dies first. */
    Mono<TurnOutcome> send(String prompt);

    /** Interrupts the running turn; its outcome still arrives. */
    Mono<Void> interrupt();

    /** The process's end, once. */
    Mono<AgentExit> exit();

    /** Stops the agent by the full escalation (interrupt, close, SIGTERM, SIGKILL). */
    Mono<AgentExit> stop();

    /** Whether {@link #stop()} was called: an exit after it is a stop, not a death. */
    boolean stopRequested();

    /** The agent's own conversation id, once known (for resume). */
    Optional<String> conversationId();

    /**
     * The model of the turns that start from now on (a running turn keeps its own); fails with the agent's own
     * words when it refuses the name.
     */
    Mono<Void> setModel(String model);

    /**
     * The permission mode from now on ({@code default}, {@code acceptEdits}, {@code plan}, {@code bypassPermissions});
     * fails with the agent's own words when it refuses it (bypass turned off, say).
     */
    Mono<Void> setPermissionMode(String mode);
}
