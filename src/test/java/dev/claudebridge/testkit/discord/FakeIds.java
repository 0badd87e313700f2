package dev.claudebridge.testkit.discord;

/**
 * The fixed ids of the fake Discord (FAKE-DISCORD-SPEC §0). They never change between runs, so configuration for a
 * bot under test can be written once.
 *
 * @param botId           the bot user; its base64 is the first segment of {@link #TOKEN}, as Discord4J requires
 * @param applicationId   the application (same number as the bot, as on Discord for bots created today)
 * @param guildId         the only guild; also the id of its {@code @everyone} role
 * @param mainChannelId   text channel {@code #general}: where plain messages start sessions
 * @param otherChannelId  text channel {@code #random}: a channel the bot should ignore
 */
public record FakeIds(String botId, String applicationId, String guildId, String mainChannelId, String otherChannelId) {

    /** base64("111111111111111111") + ".fake.secret": decodable by Discord4J's {@code TokenUtil}. */
    public static final String TOKEN = "MTExMTExMTExMTExMTExMTEx.fake.secret";

    public static final FakeIds FIXED = new FakeIds(
            "111111111111111111", "111111111111111111", "200000000000000000",
            "300000000000000001", "300000000000000002");

    public String ownerId() {
        return FakeUser.OWNER.id();
    }

    public String friendId() {
        return FakeUser.FRIEND.id();
    }

    public String strangerId() {
        return FakeUser.STRANGER.id();
    }
}
