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
            String message, String type, long createAt, List<File> files) implements MattermostInbound {

        public Post {
            files = List.copyOf(files);
        }

        /** Where it was written: its thread, or the channel itself. */
        String place() {
            return rootId.isEmpty() ? channelId : rootId;
        }
    }

    /**
     * A file attached to a post, as the post's {@code metadata.files} describes it (its bytes:
     * {@code GET /files/{id}}).
     */
    record File(String id, String name, long size, String mimeType) {

        /**
         * The files of a post's JSON: {@code metadata.files}, and any of {@code file_ids} it does not describe (the
         * name and size are then unknown; the download still stops at the limit).
         */
        static List<File> of(com.fasterxml.jackson.databind.JsonNode post) {
            List<File> files = new java.util.ArrayList<>();
            java.util.Set<String> described = new java.util.HashSet<>();
            post.path("metadata").path("files").forEach(f -> {
                described.add(f.path("id").asText());
                files.add(new File(f.path("id").asText(), f.path("name").asText("file"), f.path("size").asLong(0),
                        f.path("mime_type").asText("")));
            });
            post.path("file_ids").forEach(id -> {
                if (!id.asText().isEmpty() && described.add(id.asText())) {
                    files.add(new File(id.asText(), "file", 0, ""));
                }
            });
            return files;
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
