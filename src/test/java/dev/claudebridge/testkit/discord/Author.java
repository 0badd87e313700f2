package dev.claudebridge.testkit.discord;

import java.util.Optional;

/** Who wrote a message or clicked: the bot or one of the {@link FakeUser}s. */
record Author(String id, String username, String globalName, boolean bot, Optional<FakeUser> user) {

    static final Author BOT = new Author(FakeIds.FIXED.botId(), "fakebot", null, true, Optional.empty());

    static Author of(FakeUser user) {
        return new Author(user.id(), user.username(), user.globalName(), false, Optional.of(user));
    }

    static Author byId(String id) {
        if (BOT.id().equals(id)) {
            return BOT;
        }
        return of(FakeUser.parse(id));
    }
}
