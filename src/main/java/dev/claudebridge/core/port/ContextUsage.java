package dev.claudebridge.core.port;

/**
 * How full an agent's context window is, in the agent's own figures (the CLI's {@code get_context_usage}).
 *
 * @param percentage the share of the window in use, as the agent rounds it (0-100)
 * @param tokens     the tokens in the context now
 * @param maxTokens  the window's size
 */
public record ContextUsage(int percentage, long tokens, long maxTokens) {
}
