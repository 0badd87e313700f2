package dev.claudebridge.mattermost;

import dev.claudebridge.core.inbound.MainPlace;
import dev.claudebridge.core.port.Markup;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mattermost's main places: each user's direct message with the bot (learned as posts arrive there) and the
 * configured channel, if any. This overrides the design contract's §3.11 (direct messages ignored) for Mattermost
 * only: a bot's direct message is where a Mattermost user talks to a bot. Sessions start with {@code !new} only; a
 * prompt there is answered with where prompts go, and so is a reply in a thread that is no session.
 */
final class MattermostPlaces implements MainPlace {

    private final Set<String> directs = ConcurrentHashMap.newKeySet();
    private final Optional<String> channel;

    MattermostPlaces(Optional<String> channel) {
        this.channel = channel;
    }

    /** A direct-message channel of the bot's, as a post in it showed. */
    void learnDirect(String channelId) {
        directs.add(channelId);
    }

    boolean isDirect(String channelId) {
        return directs.contains(channelId);
    }

    /** Where the bot listens: its direct messages and the configured channel. */
    Set<String> channels() {
        Set<String> all = new java.util.HashSet<>(directs);
        channel.ifPresent(all::add);
        return all;
    }

    @Override
    public boolean contains(String channelId) {
        return directs.contains(channelId) || channel.filter(channelId::equals).isPresent();
    }

    @Override
    public String name(Markup markup) {
        return "your direct message with me" + channel.map(c -> " or " + markup.channel(c)).orElse("");
    }

    @Override
    public boolean messagesStartSessions() {
        return false;
    }

    @Override
    public boolean answersStrayThreads() {
        return true;
    }
}
