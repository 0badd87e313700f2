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
}
