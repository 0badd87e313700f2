package dev.claudebridge.core.inbound;

import java.util.Set;

/**
 * Deny by default: listed users, members with a listed role, or everyone when so configured, and never someone outside
 * the server or team the bot serves (direct messages are ignored). Each platform's adapter feeds it that platform's
 * identities ({@link Actor}); the rule is the same for all.
 */
public record AccessPolicy(Set<String> userIds, Set<String> roleIds, boolean everyone) {

    public AccessPolicy {
        userIds = Set.copyOf(userIds);
        roleIds = Set.copyOf(roleIds);
    }

    public boolean allows(Actor actor) {
        return actor.inScope() && (everyone || userIds.contains(actor.userId()) || actor.roleIds().stream().anyMatch(roleIds::contains));
    }
}
