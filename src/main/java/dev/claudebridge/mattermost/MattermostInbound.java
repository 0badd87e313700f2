package dev.claudebridge.mattermost;

import java.util.List;

/** What the bot acts on, from the WebSocket, the REST catch-up and the action callbacks, as one type. */
sealed interface MattermostInbound {

    /** Who did it. */
    String userId();

    /**
     * A user's post.
     *
     * @param rootId      the thread's root post, empty for a post at the top of a channel
     * @param channelType {@code D} for a direct message, {@code O}/{@code P} for channels, {@code G} for groups
     * @param createAt    the server's time of the post, in milliseconds
     */
    record Post(String id, String userId, String channelId, String rootId, String channelType, String teamId,
            String message, String type, long createAt) implements MattermostInbound {

        /** Where it was written: its thread, or the channel itself. */
        String place() {
            return rootId.isEmpty() ? channelId : rootId;
        }
    }

    /** A reaction someone added to a post. */
    record Reaction(String userId, String postId, String channelId, String emojiName) implements MattermostInbound {
    }

    /** A click on an interactive button or menu, from the server's callback. */
    record Action(String userId, String postId, String channelId, String teamId, String customId,
            List<String> values) implements MattermostInbound {
        public Action {
            values = List.copyOf(values);
        }
    }
}
