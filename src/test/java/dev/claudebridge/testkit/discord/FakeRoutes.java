package dev.claudebridge.testkit.discord;

/**
 * Route keys used for request counts, 429 counts and faults: the HTTP method and the path template under
 * {@code /api/v10}. {@link #ANY} matches every route in fault settings.
 */
public final class FakeRoutes {
    public static final String ANY = "*";
    public static final String GATEWAY = "GET /gateway";
    public static final String GATEWAY_BOT = "GET /gateway/bot";
    public static final String APPLICATION_INFO = "GET /oauth2/applications/@me";
    public static final String GET_CHANNEL = "GET /channels/{channel.id}";
    public static final String MODIFY_CHANNEL = "PATCH /channels/{channel.id}";
    public static final String LIST_MESSAGES = "GET /channels/{channel.id}/messages";
    public static final String CREATE_MESSAGE = "POST /channels/{channel.id}/messages";
    public static final String GET_MESSAGE = "GET /channels/{channel.id}/messages/{message.id}";
    public static final String EDIT_MESSAGE = "PATCH /channels/{channel.id}/messages/{message.id}";
    public static final String DELETE_MESSAGE = "DELETE /channels/{channel.id}/messages/{message.id}";
    public static final String ADD_REACTION = "PUT /channels/{channel.id}/messages/{message.id}/reactions/{emoji}/@me";
    public static final String REMOVE_REACTION =
            "DELETE /channels/{channel.id}/messages/{message.id}/reactions/{emoji}/@me";
    public static final String THREAD_FROM_MESSAGE = "POST /channels/{channel.id}/messages/{message.id}/threads";
    public static final String THREAD_WITHOUT_MESSAGE = "POST /channels/{channel.id}/threads";
    public static final String TYPING = "POST /channels/{channel.id}/typing";
    public static final String GLOBAL_COMMANDS = "PUT /applications/{application.id}/commands";
    public static final String GUILD_COMMANDS = "PUT /applications/{application.id}/guilds/{guild.id}/commands";
    public static final String INTERACTION_CALLBACK = "POST /interactions/{interaction.id}/{interaction.token}/callback";
    public static final String EDIT_ORIGINAL = "PATCH /webhooks/{application.id}/{interaction.token}/messages/@original";
    public static final String FOLLOWUP = "POST /webhooks/{application.id}/{interaction.token}";
    public static final String EDIT_FOLLOWUP =
            "PATCH /webhooks/{application.id}/{interaction.token}/messages/{message.id}";

    private FakeRoutes() {
    }
}
