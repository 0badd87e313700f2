package dev.claudebridge.testkit.discord;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything about the fake Discord that a test may want to change. Every real-time limit is here, so bot tests
 * can shrink them; all of them except {@code port} and {@code clock} can also be changed while the fake runs
 * ({@code FakeDiscord.updateSettings}).
 *
 * <p>The {@code clock} drives message timestamps, message age (the one-hour edit rule), the interaction deadline
 * and token lifetime, and the rate-limit windows. Pass a clock you can move to test deadlines without waiting;
 * keep the system clock when real Discord4J requests must wait out a rate-limit window.
 *
 * @param port                    TCP port on 127.0.0.1; 0 picks a free one
 * @param clock                   the fake's notion of now
 * @param heartbeatInterval       sent in HELLO; Discord sends 41250 ms
 * @param messageCreate           per-channel limit of {@code POST /channels/{id}/messages}
 * @param messageEdit             per-channel limit of {@code PATCH /channels/{id}/messages/{id}}
 * @param globalPerSecond         requests per second per bot across all routes except interactions and webhooks
 * @param interactionDeadline     the first callback must arrive within this time (Discord: 3 s), else 404 10062
 * @param interactionTokenLifetime {@code @original} edits and followups work this long (Discord: 15 min)
 * @param oldMessageAge           a message older than this is "old" for the edit rule (Discord: 1 h)
 * @param oldMessageEditsAllowed  edits accepted on an old message before 400 30046 (default 0)
 * @param enforceMessageContent   blank the content of others' messages unless the bot asked for MESSAGE_CONTENT
 */
public record FakeDiscordSettings(
        int port,
        Clock clock,
        Duration heartbeatInterval,
        RateLimit messageCreate,
        RateLimit messageEdit,
        int globalPerSecond,
        Duration interactionDeadline,
        Duration interactionTokenLifetime,
        Duration oldMessageAge,
        int oldMessageEditsAllowed,
        boolean enforceMessageContent) {

    /** A bucket: {@code limit} requests per {@code window}, window starting at the first request (as Discord). */
    public record RateLimit(int limit, Duration window) {
        public RateLimit {
            if (limit < 1 || window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("a rate limit needs limit >= 1 and a positive window");
            }
        }
    }

    public FakeDiscordSettings {
        Objects.requireNonNull(clock, "clock must not be null");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval must not be null");
        Objects.requireNonNull(messageCreate, "messageCreate must not be null");
        Objects.requireNonNull(messageEdit, "messageEdit must not be null");
        Objects.requireNonNull(interactionDeadline, "interactionDeadline must not be null");
        Objects.requireNonNull(interactionTokenLifetime, "interactionTokenLifetime must not be null");
        Objects.requireNonNull(oldMessageAge, "oldMessageAge must not be null");
        if (globalPerSecond < 1 || oldMessageEditsAllowed < 0) {
            throw new IllegalArgumentException("globalPerSecond >= 1 and oldMessageEditsAllowed >= 0");
        }
    }

    /** Discord's numbers: 5 per 5 s per channel for create and for edit, 50/s global, 3 s, 15 min, 1 h, 0 edits. */
    public static FakeDiscordSettings defaults() {
        return new FakeDiscordSettings(0, Clock.systemUTC(), Duration.ofMillis(41_250),
                new RateLimit(5, Duration.ofSeconds(5)), new RateLimit(5, Duration.ofSeconds(5)), 50,
                Duration.ofSeconds(3), Duration.ofMinutes(15), Duration.ofHours(1), 0, true);
    }

    public FakeDiscordSettings withPort(int value) {
        return new FakeDiscordSettings(value, clock, heartbeatInterval, messageCreate, messageEdit, globalPerSecond,
                interactionDeadline, interactionTokenLifetime, oldMessageAge, oldMessageEditsAllowed,
                enforceMessageContent);
    }

    public FakeDiscordSettings withClock(Clock value) {
        return new FakeDiscordSettings(port, value, heartbeatInterval, messageCreate, messageEdit, globalPerSecond,
                interactionDeadline, interactionTokenLifetime, oldMessageAge, oldMessageEditsAllowed,
                enforceMessageContent);
    }

    public FakeDiscordSettings withHeartbeatInterval(Duration value) {
        return new FakeDiscordSettings(port, clock, value, messageCreate, messageEdit, globalPerSecond,
                interactionDeadline, interactionTokenLifetime, oldMessageAge, oldMessageEditsAllowed,
                enforceMessageContent);
    }

    public FakeDiscordSettings withMessageCreate(RateLimit value) {
        return new FakeDiscordSettings(port, clock, heartbeatInterval, value, messageEdit, globalPerSecond,
                interactionDeadline, interactionTokenLifetime, oldMessageAge, oldMessageEditsAllowed,
                enforceMessageContent);
    }

    public FakeDiscordSettings withMessageEdit(RateLimit value) {
        return new FakeDiscordSettings(port, clock, heartbeatInterval, messageCreate, value, globalPerSecond,
                interactionDeadline, interactionTokenLifetime, oldMessageAge, oldMessageEditsAllowed,
                enforceMessageContent);
    }

    /** Sets the same per-channel limit on message create and on message edit. */
    public FakeDiscordSettings withMessageLimits(int limit, Duration window) {
        return withMessageCreate(new RateLimit(limit, window)).withMessageEdit(new RateLimit(limit, window));
    }

    public FakeDiscordSettings withGlobalPerSecond(int value) {
        return new FakeDiscordSettings(port, clock, heartbeatInterval, messageCreate, messageEdit, value,
                interactionDeadline, interactionTokenLifetime, oldMessageAge, oldMessageEditsAllowed,
                enforceMessageContent);
    }

    public FakeDiscordSettings withInteractionDeadline(Duration value) {
        return new FakeDiscordSettings(port, clock, heartbeatInterval, messageCreate, messageEdit, globalPerSecond,
                value, interactionTokenLifetime, oldMessageAge, oldMessageEditsAllowed, enforceMessageContent);
    }

    public FakeDiscordSettings withInteractionTokenLifetime(Duration value) {
        return new FakeDiscordSettings(port, clock, heartbeatInterval, messageCreate, messageEdit, globalPerSecond,
                interactionDeadline, value, oldMessageAge, oldMessageEditsAllowed, enforceMessageContent);
    }

    public FakeDiscordSettings withOldMessageAge(Duration value) {
        return new FakeDiscordSettings(port, clock, heartbeatInterval, messageCreate, messageEdit, globalPerSecond,
                interactionDeadline, interactionTokenLifetime, value, oldMessageEditsAllowed, enforceMessageContent);
    }

    public FakeDiscordSettings withOldMessageEditsAllowed(int value) {
        return new FakeDiscordSettings(port, clock, heartbeatInterval, messageCreate, messageEdit, globalPerSecond,
                interactionDeadline, interactionTokenLifetime, oldMessageAge, value, enforceMessageContent);
    }

    public FakeDiscordSettings withEnforceMessageContent(boolean value) {
        return new FakeDiscordSettings(port, clock, heartbeatInterval, messageCreate, messageEdit, globalPerSecond,
                interactionDeadline, interactionTokenLifetime, oldMessageAge, oldMessageEditsAllowed, value);
    }
}
