package dev.claudebridge.testkit.discord;

/** An injected interaction: its id and its token, as in the {@code INTERACTION_CREATE} the bot received. */
public record InteractionRef(String id, String token) {
}
