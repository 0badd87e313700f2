package dev.claudebridge.discord;

import dev.claudebridge.config.BridgeConfig;
import discord4j.common.util.Snowflake;
import java.util.Set;

/** Deny by default (ARCHITECTURE.md §3.11): listed users, members with a listed role, or everyone if so set. */
final class Access {

    private final Set<Long> users;
    private final Set<Long> roles;
    private final boolean everyone;

    Access(BridgeConfig config) {
        this.users = config.allowedUserIds();
        this.roles = config.allowedRoleIds();
        this.everyone = config.allowEveryone();
    }

    boolean allows(Snowflake user, Set<Snowflake> memberRoles) {
        return everyone || users.contains(user.asLong())
                || memberRoles.stream().anyMatch(r -> roles.contains(r.asLong()));
    }
}
