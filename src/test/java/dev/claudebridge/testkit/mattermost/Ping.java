package dev.claudebridge.testkit.mattermost;

/**
 * A notification the server would send for a post: {@code mention} is the word that did it ({@code @channel},
 * {@code @all}, {@code @here} or {@code @username}); {@code onEdit} when the word came with an edit (recorded too:
 * stricter than a server, which does not notify again for an edit).
 */
public record Ping(String postId, String mention, boolean onEdit) {
}
