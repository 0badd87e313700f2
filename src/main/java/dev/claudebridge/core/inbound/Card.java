package dev.claudebridge.core.inbound;

import java.util.List;
import java.util.Optional;

/** A block of titled fields (Discord: an embed; Mattermost: an attachment with fields). */
public record Card(String title, Optional<String> description, List<Field> fields) {

    public Card {
        fields = List.copyOf(fields);
    }

    public record Field(String name, String value) {
    }
}
