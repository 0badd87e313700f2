package dev.claudebridge.core.port;

import java.nio.file.Path;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** Starts agents (one {@code claude} CLI each). */
public interface AgentRuntime {

    /**
     * @param threadId the session's thread, to tell the agent's log lines apart
     * @param workDir  the session's working directory (already checked to lie under the workspace root)
     * @param model    a model name for {@code --model}, or empty for the CLI's default
     * @param resumeId a CLI session id to resume, or empty for a fresh conversation
     */
    record Spec(String threadId, Path workDir, Optional<String> model, Optional<String> resumeId) {
    }

    Mono<AgentSession> start(Spec spec);

    /**
     * Asks the agent for its version once, at start-up, off the event loop. Fails when this build cannot work with
     * it (the error's message is one line for the operator); a version newer than the tested ones comes with a
     * warning.
     */
    Mono<AgentVersion> version();

    /**
     * Whether the agent's stored conversation for this id exists, so that a resume can work (§3.9); never blocks the
     * caller (looking may touch the disk, so it runs where that is allowed). The core decides what follows.
     */
    Mono<Boolean> canResume(String sessionId);
}
