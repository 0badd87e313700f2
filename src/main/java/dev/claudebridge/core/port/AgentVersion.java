package dev.claudebridge.core.port;

import java.util.Optional;

/**
 * The agent's version as the runtime found it at start-up, for the log and {@code /status}.
 *
 * @param version what the agent calls its version (e.g. {@code 2.1.332})
 * @param warning a sentence for the operator when this build was not tested with that version
 */
public record AgentVersion(String version, Optional<String> warning) {

    /** For tests and tools that wire the core without asking the agent. */
    public static final AgentVersion UNKNOWN = new AgentVersion("unknown", Optional.empty());
}
