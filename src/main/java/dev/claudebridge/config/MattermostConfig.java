package dev.claudebridge.config;

import java.util.Optional;
import java.util.Set;

/**
 * The Mattermost settings (all {@code MATTERMOST_*}); present in {@link BridgeConfig} only when {@code MATTERMOST_URL}
 * is set.
 *
 * @param url           the server's address, http(s), without {@code /api/v4}
 * @param token         the bot account's access token
 * @param allowedUsers  user ids or usernames that may use the bot
 * @param allowedTeams  team ids or names whose members may use the bot
 * @param mainChannelId a channel that is a main place too, besides each user's direct message with the bot
 * @param callbackPort  where the bot serves interactive action callbacks (never the ops port); empty: reactions only
 * @param callbackUrl   the address of that port as the Mattermost server reaches it, e.g. {@code http://bridge:8091}
 */
public record MattermostConfig(String url, String token, Set<String> allowedUsers, Set<String> allowedTeams,
        Optional<String> mainChannelId, Optional<Integer> callbackPort, Optional<String> callbackUrl) {

    public MattermostConfig {
        allowedUsers = Set.copyOf(allowedUsers);
        allowedTeams = Set.copyOf(allowedTeams);
    }

    @Override
    public String toString() { // never the token
        return "MattermostConfig[url=" + url + ", users=" + allowedUsers.size() + ", teams=" + allowedTeams.size()
                + ", mainChannel=" + mainChannelId.orElse("-") + ", callback=" + callbackUrl.orElse("-") + "]";
    }
}
