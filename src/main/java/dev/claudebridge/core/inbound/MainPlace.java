package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.Markup;

/**
 * Where a platform's users start sessions and give the commands that are about no one session. On Discord that is
 * the one main channel, and a message there starts a session from it. On Mattermost it is each user's direct
 * message with the bot (and a configured channel): prompts there are answered with where they go, since a session
 * lives in a thread of its own, and a reply in a thread that is no session is answered too (it is the user's own
 * conversation with the bot, so an answer is no noise).
 */
public interface MainPlace {

    boolean contains(String channelId);

    /** The place as a sentence names it: "Use /new in {name}." */
    String name(Markup markup);

    /** Whether a message in the main place starts a session from it (else it is answered with where prompts go). */
    boolean messagesStartSessions();

    /** Whether a message in a thread that is no session is answered (else ignored without a word). */
    boolean answersStrayThreads();

    /** One channel, Discord's way: messages there start sessions; messages elsewhere that are no session's, ignored. */
    static MainPlace channel(String channelId) {
        return new MainPlace() {
            @Override
            public boolean contains(String id) {
                return id.equals(channelId);
            }

            @Override
            public String name(Markup markup) {
                return markup.channel(channelId);
            }

            @Override
            public boolean messagesStartSessions() {
                return true;
            }

            @Override
            public boolean answersStrayThreads() {
                return false;
            }
        };
    }
}
