package dev.claudebridge.core.port;

import java.util.List;
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

    /**
     * Sends a prompt with images, which the model sees as image content after the text; otherwise as
     * {@link #send(String)}. An agent that cannot carry images refuses a prompt that has some.
     */
    default Mono<TurnOutcome> send(String prompt, List<Image> images) {
        return images.isEmpty() ? send(prompt)
                : Mono.error(new UnsupportedOperationException("this agent cannot take images"));
    }

    /**
     * An image for the model.
     *
     * @param mediaType {@code image/png}, {@code image/jpeg}, {@code image/gif} or {@code image/webp}
     */
    record Image(String mediaType, byte[] data) {
    }

    /**
     * How full the context window is now, as the agent itself counts it; empty when the agent cannot say. Asked after
     * a turn, beside it: it may take a moment (the CLI counts tokens with the API).
     */
    default Mono<ContextUsage> contextUsage() {
        return Mono.empty();
    }

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

    /**
     * Where this agent's output stands now, in the runtime's own words, for a bot that restarts while the agent runs
     * on ({@link AgentRuntime#reattach}); empty when the agent cannot outlive the bot (a child process).
     */
    default Optional<String> position() {
        return Optional.empty();
    }

    /**
     * Lets the agent run on without this bot (a drain before a restart): the bot stops reading and writing, the agent
     * is not stopped. False when it cannot run on alone; then it must be stopped.
     */
    default Mono<Boolean> detach() {
        return Mono.just(false);
    }

    /**
     * For an agent {@link AgentRuntime#reattach re-attached} in the middle of a turn: the outcome of that turn. Call
     * it once the event and permission streams are subscribed: the output after the stored position is replayed
     * into them then, and the permissions still open are asked again.
     */
    default Mono<TurnOutcome> resumeTurn() {
        return Mono.error(new UnsupportedOperationException("this agent was not re-attached"));
    }
}
