package dev.claudebridge.core.inbound;

import java.util.Map;
import java.util.Optional;

/**
 * A command as the user gave it on any platform.
 *
 * @param name      the command's name ({@link Command#name()})
 * @param id        the platform's id of this invocation (unique), used to key a confirmation
 * @param channelId where it was given (a main channel, a session's thread, …)
 * @param scopeId   the platform's grouping of channels (a Discord guild, a Mattermost team), stored with a session
 * @param options   the options given, by name, trimmed, blank ones left out
 */
public record CommandCall(String name, String id, Actor actor, String channelId, String scopeId, Map<String, String> options) {

    public CommandCall {
        options = Map.copyOf(options);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name)).map(String::strip).filter(s -> !s.isEmpty());
    }
}
