package dev.claudebridge.core.inbound;

import java.util.List;

/**
 * A click on a component the bot posted: its custom id (see {@code core.session.ComponentIds}) and, for a select
 * menu, the values chosen.
 */
public record Click(Actor actor, String customId, List<String> values) {

    public Click {
        values = List.copyOf(values);
    }
}
