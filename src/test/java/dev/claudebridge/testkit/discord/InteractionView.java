package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What happened to an injected interaction.
 *
 * @param type              2 application command, 3 message component, 4 autocomplete
 * @param user              who clicked or typed
 * @param callbacks         every accepted callback in order (a second one is refused with 40060, so at most one)
 * @param originalMessageId the message {@code @original} refers to, once there is one
 * @param modal             the modal the bot presented (callback type 9), if any
 */
public record InteractionView(
        String id,
        String token,
        int type,
        FakeUser user,
        String channelId,
        Instant createdAt,
        List<Callback> callbacks,
        Optional<String> originalMessageId,
        Optional<JsonNode> modal) {

    /**
     * One callback: 4 reply, 5 deferred reply, 6 deferred update, 7 update message, 8 autocomplete result
     * ({@code data.choices}), 9 modal.
     */
    public record Callback(Instant at, int type, JsonNode data) {
    }

    public boolean acknowledged() {
        return !callbacks.isEmpty();
    }
}
