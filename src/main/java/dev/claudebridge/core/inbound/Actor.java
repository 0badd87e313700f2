package dev.claudebridge.core.inbound;

import java.util.Set;

/**
 * Who did something on a chat platform, as the adapter knows them: their id, the ids of their roles (Discord's
 * guild roles; Mattermost has none to give), and whether they acted inside the server or team the bot serves (a
 * direct message to the bot is not). The access policy decides from these alone.
 */
public record Actor(String userId, Set<String> roleIds, boolean inScope) {

    public Actor {
        roleIds = Set.copyOf(roleIds);
    }

    public static Actor member(String userId, Set<String> roleIds) {
        return new Actor(userId, roleIds, true);
    }
}
