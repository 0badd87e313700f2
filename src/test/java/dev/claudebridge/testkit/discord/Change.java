package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Something that changed in the fake, in the order it happened. Await them with {@code FakeDiscord.changes()}:
 * the flux replays recent history first, so a test may subscribe after acting.
 */
public sealed interface Change {

    /** A message was created, by the bot (REST) or injected for a user. */
    record MessageCreated(PostedMessage message) implements Change {
    }

    /** A message was edited (REST edit, {@code @original} edit, or a type 7 callback). */
    record MessageEdited(PostedMessage message) implements Change {
    }

    record MessageDeleted(String messageId, String channelId) implements Change {
    }

    record ReactionAdded(String messageId, String channelId, String userId, String emoji) implements Change {
    }

    record ReactionRemoved(String messageId, String channelId, String userId, String emoji) implements Change {
    }

    record ThreadCreated(ThreadView thread) implements Change {
    }

    record ThreadUpdated(ThreadView thread) implements Change {
    }

    /** The bot answered an interaction (the callback was accepted). */
    record InteractionAnswered(String interactionId, int callbackType, JsonNode data) implements Change {
    }

    record PresenceUpdated(PresenceUpdate presence) implements Change {
    }

    record CommandsOverwritten(String guildIdOrGlobal, JsonNode commands) implements Change {
    }

    /** A gateway session became ready: after IDENTIFY ({@code resumed} false) or after RESUME (true). */
    record GatewayReady(String sessionId, boolean resumed, long intents) implements Change {
    }

    record PingRecorded(Ping ping) implements Change {
    }

    /** A request was refused with 429. */
    record RateLimited(String route, boolean global) implements Change {
    }
}
