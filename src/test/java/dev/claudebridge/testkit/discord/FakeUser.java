package dev.claudebridge.testkit.discord;

/**
 * The three human members of the fake guild. Each has a fixed id and a role of its own, so a bot's allowlists can
 * be tested by user id and by role id: typically the owner and the friend are allowed, the stranger is not.
 */
public enum FakeUser {
    OWNER("400000000000000001", "owner", "Owner", "500000000000000001"),
    FRIEND("400000000000000002", "friend", "Friend", "500000000000000002"),
    STRANGER("400000000000000003", "stranger", "Stranger", "500000000000000003");

    private final String id;
    private final String username;
    private final String globalName;
    private final String roleId;

    FakeUser(String id, String username, String globalName, String roleId) {
        this.id = id;
        this.username = username;
        this.globalName = globalName;
        this.roleId = roleId;
    }

    public String id() {
        return id;
    }

    public String username() {
        return username;
    }

    public String globalName() {
        return globalName;
    }

    /** The role only this user has (named after the user, e.g. {@code owner-role}). */
    public String roleId() {
        return roleId;
    }

    public String roleName() {
        return username + "-role";
    }

    /** Looks a user up by its lower-case name ({@code owner}, {@code friend}, {@code stranger}) or its id. */
    public static FakeUser parse(String nameOrId) {
        for (FakeUser user : values()) {
            if (user.username.equalsIgnoreCase(nameOrId) || user.id.equals(nameOrId)) {
                return user;
            }
        }
        throw new IllegalArgumentException("unknown user '" + nameOrId + "' (owner, friend or stranger)");
    }
}
