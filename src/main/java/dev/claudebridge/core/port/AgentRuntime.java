package dev.claudebridge.core.port;

import java.nio.file.Path;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** Starts agents (one {@code claude} CLI each). */
public interface AgentRuntime {

    /**
     * @param platform the chat platform of the session's thread
     * @param threadId the session's thread, to tell the agent's log lines apart
     * @param workDir  the session's working directory (already checked to lie under the workspace root)
     * @param model    a model name for {@code --model}, or empty for the CLI's default
     * @param resumeId a conversation to resume, or empty for a fresh one
     * @param permissionMode the permission mode to start in ({@code --permission-mode}), or empty for the default
     */
    record Spec(String platform, String threadId, Path workDir, Optional<String> model, Optional<String> resumeId,
            Optional<String> permissionMode) {

        public Spec(String platform, String threadId, Path workDir, Optional<String> model,
                Optional<String> resumeId) {
            this(platform, threadId, workDir, model, resumeId, Optional.empty());
        }
    }

    /**
     * Starts an agent. A start that resumes a conversation completes only once the agent took it up, and fails with
     * {@link ResumeRefused} when the agent does not have it.
     */
    Mono<AgentSession> start(Spec spec);

    /**
     * Asks the agent for its version once, at start-up, off the event loop. Fails when this build cannot work with
     * it (the error's message is one line for the operator); a version newer than the tested ones comes with a
     * warning.
     */
    Mono<AgentVersion> version();

    /**
     * Whether a conversation could be resumed, and why not (docs/architecture.md §3.9); never blocks the caller
     * (looking may touch the disk, so it runs where that is allowed). The core decides what follows.
     */
    Mono<Resumability> resumability(String conversationId);

    /**
     * Stops the agents a crashed run left behind (found again by what the runtime recorded of them) before any new
     * one starts; completes with how many were stopped.
     */
    Mono<Integer> stopLeftovers();

    /**
     * Takes up again an agent a previous run of the bot left running in the middle of a turn ({@code position} as its
     * {@link AgentSession#position()} gave it when the turn's prompt was sent); fails when the agent is gone. The
     * session's {@link AgentSession#resumeTurn()} then carries the turn on.
     */
    default Mono<AgentSession> reattach(Spec spec, String position) {
        return Mono.error(new UnsupportedOperationException("this runtime's agents end with the bot"));
    }

    /**
     * The session has ended for good: what the runtime kept for it besides the conversation in the store may go (the
     * kubernetes runtime's claim). Called after its agent stopped; a failure is logged, never the session's.
     */
    default Mono<Void> sessionEnded(String platform, String threadId) {
        return Mono.empty();
    }

    /**
     * The sessions' files (attachments saved into a working directory, {@code /download} read from it), where this
     * runtime keeps the working directories. A runtime that cannot reach them refuses each call with a reason.
     */
    default SessionFiles files() {
        return SessionFiles.unsupported("this agent runtime cannot reach the sessions' files");
    }
}
