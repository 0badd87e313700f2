package dev.claudebridge.testkit.mattermost;

/** An uploaded file; {@code postId} is empty until a post takes it in {@code file_ids}. */
public record MmFile(String id, String userId, String channelId, String name, String mimeType, byte[] content,
        String postId, long createAt) {

    MmFile attachedTo(String post) {
        return new MmFile(id, userId, channelId, name, mimeType, content, post, createAt);
    }
}
