package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Injected interactions and the bot's answers: callbacks (types 4, 5, 6, 7, 8, 9), {@code @original} and followups,
 * with Discord's deadline (10062), double-acknowledge (40060) and token lifetime (50027) rules. Runs under the
 * state's monitor, like every change to the fake guild.
 */
final class Interactions {
    private final DiscordState state;
    private final Map<String, StoredInteraction> byId = new HashMap<>();
    private final Map<String, StoredInteraction> byToken = new HashMap<>();

    Interactions(DiscordState state) {
        this.state = state;
    }

    // ---- injection ----

    InteractionRef slashCommand(FakeUser user, String channelId, String name, Map<String, ?> options) {
        synchronized (state) {
            JsonNode command = state.registeredCommand(name).orElseThrow(() -> new IllegalStateException(
                    "no command '" + name + "' is registered; users can only invoke registered commands"));
            ObjectNode data = Json.object().put("id", command.path("id").asText()).put("name", name)
                    .put("type", command.path("type").asInt(1));
            ObjectNode resolved = Json.object();
            if (!options.isEmpty()) {
                data.set("options", SlashOptions.encode(options, command.path("options"), resolved));
            }
            if (!resolved.isEmpty()) {
                data.set("resolved", resolved);
            }
            if (command.has("guild_id")) {
                data.put("guild_id", command.get("guild_id").asText());
            }
            return inject(StoredInteraction.APPLICATION_COMMAND, user, state.channel(channelId), null, data);
        }
    }

    /**
     * A user types in an option of a registered command (INTERACTION_CREATE type 4): Discord sends the options typed
     * so far, the one being typed marked {@code focused: true} with its partial text as a string, and only for an
     * option the command declared with {@code autocomplete: true}.
     */
    InteractionRef autocomplete(FakeUser user, String channelId, String name, Map<String, ?> options,
            String focused) {
        synchronized (state) {
            JsonNode command = state.registeredCommand(name).orElseThrow(() -> new IllegalStateException(
                    "no command '" + name + "' is registered; users can only invoke registered commands"));
            JsonNode declared = Json.object();
            for (JsonNode option : command.path("options")) {
                if (focused.equals(option.path("name").asText())) {
                    declared = option;
                }
            }
            if (!declared.path("autocomplete").asBoolean(false)) {
                throw new IllegalStateException("option '" + focused + "' of '" + name + "' is not declared with "
                        + "autocomplete: true; Discord sends no autocomplete for it");
            }
            Map<String, Object> typed = new java.util.LinkedHashMap<>(options);
            typed.putIfAbsent(focused, "");
            ObjectNode data = Json.object().put("id", command.path("id").asText()).put("name", name)
                    .put("type", command.path("type").asInt(1));
            ArrayNode encoded = SlashOptions.encode(typed, command.path("options"), Json.object());
            for (JsonNode option : encoded) {
                if (focused.equals(option.path("name").asText())) {
                    // The partial text, as typed: a string whatever the option's type.
                    ((ObjectNode) option).put("value", String.valueOf(typed.get(focused))).put("focused", true);
                }
            }
            data.set("options", encoded);
            if (command.has("guild_id")) {
                data.put("guild_id", command.get("guild_id").asText());
            }
            return inject(StoredInteraction.APPLICATION_COMMAND_AUTOCOMPLETE, user, state.channel(channelId), null,
                    data);
        }
    }

    InteractionRef component(FakeUser user, String messageId, String customId, List<String> values) {
        synchronized (state) {
            StoredMessage message = state.messageById(messageId).filter(m -> !m.deleted).orElseThrow(
                    () -> new IllegalArgumentException("unknown message " + messageId));
            JsonNode component = findComponent(message.components, customId).orElseThrow(
                    () -> new IllegalArgumentException("message " + messageId + " has no component '" + customId
                            + "' (it has " + message.components.findValuesAsText("custom_id") + ")"));
            if (component.path("disabled").asBoolean(false)) {
                throw new IllegalStateException("component '" + customId + "' is disabled and cannot be used");
            }
            int componentType = component.path("type").asInt();
            if ((componentType == 2) != (values == null)) {
                throw new IllegalArgumentException("'" + customId + "' is a "
                        + (componentType == 2 ? "button: click it" : "select: choose values"));
            }
            ObjectNode data = Json.object().put("custom_id", customId).put("component_type", componentType);
            if (values != null) {
                ArrayNode chosen = data.putArray("values");
                values.forEach(chosen::add);
            }
            return inject(StoredInteraction.MESSAGE_COMPONENT, user, state.channel(message.channelId), message,
                    data);
        }
    }

    private static Optional<JsonNode> findComponent(JsonNode rows, String customId) {
        for (JsonNode row : rows) {
            for (JsonNode component : row.path("components")) {
                if (customId.equals(component.path("custom_id").asText(null))) {
                    return Optional.of(component);
                }
            }
        }
        return Optional.empty();
    }

    private InteractionRef inject(int type, FakeUser user, StoredChannel channel, StoredMessage message,
                                  ObjectNode data) {
        String id = state.snowflakes.next();
        String token = "itoken-" + state.snowflakes.next();
        StoredInteraction interaction = new StoredInteraction(id, token, type, user, channel.id, state.now(),
                message == null ? null : message.id);
        byId.put(id, interaction);
        byToken.put(token, interaction);
        ObjectNode payload = Payloads.interaction(interaction, state.ids, channel, data);
        if (message != null) {
            payload.set("message", Payloads.message(message, state.ids));
        }
        state.dispatch(Dispatch.of("INTERACTION_CREATE", payload, 0));
        return new InteractionRef(id, token);
    }

    // ---- callbacks ----

    void callback(String id, String token, JsonNode body) {
        synchronized (state) {
            StoredInteraction interaction = byId.get(id);
            if (interaction == null || !interaction.token.equals(token)) {
                throw DiscordError.unknownInteraction();
            }
            if (!interaction.callbacks.isEmpty()) {
                throw DiscordError.of(400, 40060, "Interaction has already been acknowledged.");
            }
            Duration age = Duration.between(interaction.createdAt, state.now());
            if (age.compareTo(state.settings().interactionDeadline()) > 0) {
                throw DiscordError.unknownInteraction();
            }
            int type = body.path("type").asInt(-1);
            JsonNode data = body.hasNonNull("data") ? body.get("data") : Json.object();
            if ((interaction.type == StoredInteraction.APPLICATION_COMMAND_AUTOCOMPLETE) != (type == 8)) {
                // An autocomplete interaction is answered with its suggestions only, and only it takes them.
                throw DiscordError.invalidForm("type", "INTERACTION_RESPONSE_TYPE_INVALID",
                        "This response type is not valid for this interaction type.");
            }
            switch (type) {
                case 4 -> reply(interaction, data);
                case 5 -> deferReply(interaction, data);
                case 6 -> interaction.originalMessageId = componentMessage(interaction).id;
                case 7 -> updateMessage(interaction, data);
                case 8 -> suggestions(data);
                case 9 -> presentModal(interaction, data);
                default -> throw DiscordError.invalidForm("type", "BASE_TYPE_CHOICES",
                        "Value must be one of {4, 5, 6, 7, 8, 9}.");
            }
            interaction.callbacks.add(new InteractionView.Callback(state.now(), type, data.deepCopy()));
            state.emit(new Change.InteractionAnswered(id, type, data.deepCopy()));
        }
    }

    private void reply(StoredInteraction interaction, JsonNode data) {
        StoredMessage message = state.compose(interaction.channelId, Author.BOT, replyType(interaction), data,
                List.of());
        linkToInteraction(interaction, message);
        state.register(message);
    }

    private void deferReply(StoredInteraction interaction, JsonNode data) {
        // Discord shows a "thinking" message at once; @original edits fill it in.
        StoredMessage message = new StoredMessage(state.snowflakes.next(), interaction.channelId, Author.BOT,
                replyType(interaction), state.now());
        message.cdn = state.cdn;
        message.flags = 128 | (data.path("flags").asInt(0) & 64);
        linkToInteraction(interaction, message);
        state.register(message);
    }

    private static int replyType(StoredInteraction interaction) {
        return interaction.type == StoredInteraction.APPLICATION_COMMAND ? 20 : 0;
    }

    private void linkToInteraction(StoredInteraction interaction, StoredMessage message) {
        message.interactionId = interaction.id;
        message.webhookId = state.ids.applicationId();
        interaction.originalMessageId = message.id;
    }

    private StoredMessage componentMessage(StoredInteraction interaction) {
        if (interaction.type != StoredInteraction.MESSAGE_COMPONENT) {
            throw DiscordError.invalidForm("type", "INTERACTION_RESPONSE_TYPE_INVALID",
                    "This response type is only valid for message component interactions.");
        }
        return state.message(interaction.channelId, interaction.messageId);
    }

    private void updateMessage(StoredInteraction interaction, JsonNode data) {
        StoredMessage message = componentMessage(interaction);
        MessageValidator.validate(data, false, false);
        state.applyEdit(message, data, List.of());
        interaction.originalMessageId = message.id;
    }

    /** Callback type 8: at most 25 choices, each a name of 1-100 characters and a value (a string of at most 100). */
    private static void suggestions(JsonNode data) {
        JsonNode choices = data.path("choices");
        if (!choices.isArray()) {
            throw DiscordError.invalidForm("data.choices", "BASE_TYPE_ARRAY", "Must be an array.");
        }
        if (choices.size() > 25) {
            throw DiscordError.badLength("data.choices", 0, 25);
        }
        for (int i = 0; i < choices.size(); i++) {
            String name = Json.text(choices.get(i), "name");
            if (name == null || name.isEmpty() || MessageValidator.codePoints(name) > 100) {
                throw DiscordError.badLength("data.choices." + i + ".name", 1, 100);
            }
            JsonNode value = choices.get(i).path("value");
            if (value.isMissingNode() || value.isNull()
                    || value.isTextual() && MessageValidator.codePoints(value.asText()) > 100) {
                throw DiscordError.badLength("data.choices." + i + ".value", 1, 100);
            }
        }
    }

    private void presentModal(StoredInteraction interaction, JsonNode data) {
        String title = Optional.ofNullable(Json.text(data, "title")).orElse("");
        if (title.isEmpty() || MessageValidator.codePoints(title) > 45) {
            throw DiscordError.badLength("data.title", 1, 45);
        }
        int rows = data.path("components").size();
        if (rows < 1 || rows > 5) {
            throw DiscordError.badLength("data.components", 1, 5);
        }
        interaction.modal = data.deepCopy();
    }

    // ---- webhooks: @original and followups ----

    ObjectNode getMessage(String applicationId, String token, String messageId) {
        synchronized (state) {
            return Payloads.message(webhookMessage(live(applicationId, token), messageId), state.ids);
        }
    }

    ObjectNode editMessage(String applicationId, String token, String messageId, JsonNode body,
                           List<Attachment> files) {
        synchronized (state) {
            StoredMessage message = webhookMessage(live(applicationId, token), messageId);
            return Payloads.message(state.editByBot(message, body, files), state.ids);
        }
    }

    void deleteMessage(String applicationId, String token, String messageId) {
        synchronized (state) {
            state.delete(webhookMessage(live(applicationId, token), messageId));
        }
    }

    ObjectNode followup(String applicationId, String token, JsonNode body, List<Attachment> files) {
        synchronized (state) {
            StoredInteraction interaction = live(applicationId, token);
            if (interaction.callbacks.isEmpty()) {
                throw DiscordError.of(404, 10015, "Unknown Webhook");
            }
            Optional<StoredMessage> thinking = Optional.ofNullable(interaction.originalMessageId)
                    .flatMap(state::messageById).filter(m -> (m.flags & 128) != 0 && !m.deleted);
            if (thinking.isPresent()) {
                // Discord's (deprecated) behaviour: the first followup after a defer fills in the deferred reply.
                return Payloads.message(state.editByBot(thinking.get(), body, files), state.ids);
            }
            StoredMessage message = state.compose(interaction.channelId, Author.BOT, replyType(interaction), body,
                    files);
            message.interactionId = interaction.id;
            message.webhookId = state.ids.applicationId();
            return Payloads.message(state.register(message), state.ids);
        }
    }

    private StoredInteraction live(String applicationId, String token) {
        StoredInteraction interaction = byToken.get(token);
        if (!state.ids.applicationId().equals(applicationId) || interaction == null) {
            throw DiscordError.of(404, 10015, "Unknown Webhook");
        }
        Duration age = Duration.between(interaction.createdAt, state.now());
        if (age.compareTo(state.settings().interactionTokenLifetime()) > 0) {
            throw DiscordError.of(401, 50027, "Invalid Webhook Token");
        }
        return interaction;
    }

    private StoredMessage webhookMessage(StoredInteraction interaction, String messageId) {
        String id = "@original".equals(messageId) ? interaction.originalMessageId : messageId;
        StoredMessage message = id == null ? null : state.messageById(id).orElse(null);
        boolean ours = message != null && (interaction.id.equals(message.interactionId)
                || id.equals(interaction.originalMessageId));
        if (!ours || message.deleted) {
            throw DiscordError.unknownMessage();
        }
        return message;
    }

    // ---- reading ----

    Optional<InteractionView> view(String id) {
        synchronized (state) {
            return Optional.ofNullable(byId.get(id)).map(StoredInteraction::view);
        }
    }
}
