package dev.claudebridge.core.inbound;

import java.util.Set;

/**
 * The bot's admins (listed users, members with a listed role): they see everyone's sessions in {@code /sessions},
 * may stop any session and run {@code /stopall}. An admin is still subject to the {@link AccessPolicy}: a listed
 * admin the policy refuses is refused everything.
 */
public record Admins(Set<String> userIds, Set<String> roleIds) {

    public static final Admins NONE = new Admins(Set.of(), Set.of());

    public Admins {
        userIds = Set.copyOf(userIds);
        roleIds = Set.copyOf(roleIds);
    }

    public boolean includes(Actor actor) {
        return userIds.contains(actor.userId()) || actor.roleIds().stream().anyMatch(roleIds::contains);
    }
}
