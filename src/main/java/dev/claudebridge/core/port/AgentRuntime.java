package dev.claudebridge.core.port;

import java.nio.file.Path;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** Starts agents (one {@code claude} CLI each). */
public interface AgentRuntime {

    /**
     * @param workDir  the session's working directory (already checked to lie under the workspace root)
     * @param model    a model name for {@code --model}, or empty for the CLI's default
     * @param resumeId a CLI session id to resume, or empty for a fresh conversation
     */
    record Spec(Path workDir, Optional<String> model, Optional<String> resumeId) {
    }

    Mono<AgentSession> start(Spec spec);

    /** Whether the agent's stored conversation for this id exists, so that a resume can work (§3.9). */
    boolean canResume(String sessionId);
}
