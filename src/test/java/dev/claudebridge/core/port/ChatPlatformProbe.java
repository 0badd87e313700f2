package dev.claudebridge.core.port;

import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import java.util.List;
import java.util.Set;

/**
 * The server side of a chat platform, for {@link ChatPlatformContract}: what the platform's server (a fake of it
 * that the real client library talks to) stored, read independently of the adapter under test, plus the few things
 * that happen to a message from outside.
 */
public interface ChatPlatformProbe {

    /** A channel the platform under test may post in. */
    String channelId();

    /** A channel's messages as the server stores them, in creation order, deleted ones included. */
    List<ServerMessage> messages(String channelId);

    /** One message as the server stores it; throws if there is none. */
    ServerMessage message(String messageId);

    /** The emoji the bot itself has on a message now. */
    Set<String> ownReactions(String messageId);

    /** Texts that notify somebody when a message does not suppress mentions (Discord: {@code @everyone}, ...). */
    List<String> mentionTexts();

    /**
     * Whether the message pinged nobody: the request that created it and every request that edited it suppressed
     * mentions, and the server recorded no notification for it.
     */
    boolean pingedNobody(String messageId);

    /** A thread as the server stores it, if there is one with that id. */
    java.util.Optional<ServerThread> thread(String threadId);

    /**
     * @param startedFrom the message the thread was started from, when the platform ties a thread to a message
     */
    record ServerThread(String id, String parentId, String name, java.util.Optional<String> startedFrom) {
    }

    /** Someone else deletes the message; later edits of it fail for good. */
    void deleteMessage(String messageId);

    /** Makes the message too old to edit; false when the platform has no such rule (the case is then skipped). */
    boolean makeTooOldToEdit(String messageId);

    /**
     * A message as stored, in the port's own terms.
     *
     * @param rows  the stored components read back into the port's records
     * @param edits how many edits the server accepted
     */
    record ServerMessage(String id, String channelId, String text, List<ComponentRow> rows, List<ServerFile> files,
            int edits, boolean deleted) {
    }

    /** An attached file with the bytes the server received. */
    record ServerFile(String name, byte[] content) {
    }
}
