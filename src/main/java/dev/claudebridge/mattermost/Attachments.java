package dev.claudebridge.mattermost;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.core.port.ChatPlatform.Button;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.ChatPlatform.Option;
import java.util.List;

/**
 * The port's rows of buttons and menus as interactive message attachments ({@code props.attachments}): one
 * attachment per row, its {@code actions} the row's buttons or its one menu ({@code type: select}). Each action
 * calls the bot's callback URL with a {@code context} that carries the component's custom id and the callback's
 * secret (so the bot can tell its own actions from forged ones). Mattermost's action ids must be alphanumeric, so
 * the custom id (which has colons) travels in the context and the action id is its position. What a menu cannot
 * show (a description per option, several values at once) travels in the context too: Mattermost menus take one
 * value and show only the option's text.
 */
final class Attachments {
    static final String CUSTOM_ID = "custom_id";
    static final String SECRET = "secret";

    private Attachments() {
    }

    static ObjectNode props(List<ComponentRow> rows, String callbackUrl, String secret) {
        ObjectNode props = MattermostApi.JSON.createObjectNode();
        if (rows.isEmpty()) {
            return props;
        }
        ArrayNode attachments = props.putArray("attachments");
        for (int r = 0; r < rows.size(); r++) {
            ObjectNode attachment = attachments.addObject();
            attachment.put("text", "");
            ArrayNode actions = attachment.putArray("actions");
            switch (rows.get(r)) {
                case ComponentRow.Buttons b -> {
                    for (int i = 0; i < b.buttons().size(); i++) {
                        Button button = b.buttons().get(i);
                        ObjectNode a = action(actions, "r" + r + "b" + i, button.label(), "button",
                                button.customId(), callbackUrl, secret);
                        a.put("style", style(button.style()));
                        a.put("disabled", button.disabled());
                    }
                }
                case ComponentRow.Select s -> {
                    ObjectNode a = action(actions, "r" + r + "s", s.placeholder(), "select", s.customId(),
                            callbackUrl, secret);
                    ArrayNode options = a.putArray("options");
                    ObjectNode descriptions = MattermostApi.JSON.createObjectNode();
                    for (Option o : s.options()) {
                        options.addObject().put("text", o.label()).put("value", o.value());
                        if (!o.description().isBlank()) {
                            descriptions.put(o.value(), o.description());
                        }
                    }
                    ObjectNode context = (ObjectNode) a.path("integration").path("context");
                    context.put("max_values", s.maxValues());
                    context.set("descriptions", descriptions);
                }
            }
        }
        return props;
    }

    private static ObjectNode action(ArrayNode actions, String id, String name, String type, String customId,
            String callbackUrl, String secret) {
        ObjectNode a = actions.addObject();
        a.put("id", id);
        a.put("name", name);
        a.put("type", type);
        ObjectNode integration = a.putObject("integration");
        integration.put("url", callbackUrl);
        integration.putObject("context").put(CUSTOM_ID, customId).put(SECRET, secret);
        return a;
    }

    /** Mattermost's button styles: {@code primary}, {@code success}, {@code danger}, {@code default}. */
    private static String style(Button.Style style) {
        return switch (style) {
            case PRIMARY -> "primary";
            case SECONDARY -> "default";
            case SUCCESS -> "success";
            case DANGER -> "danger";
        };
    }
}
