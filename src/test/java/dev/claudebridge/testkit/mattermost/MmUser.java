package dev.claudebridge.testkit.mattermost;

/** A user of the fake, with the personal access token that authenticates it (bots have one; people get one here). */
public record MmUser(String id, String username, String firstName, String lastName, boolean bot, String token) {

    /** What the web app shows: "First Last" when set, else the username. */
    public String displayName() {
        String full = (firstName + " " + lastName).trim();
        return full.isEmpty() ? username : full;
    }
}
