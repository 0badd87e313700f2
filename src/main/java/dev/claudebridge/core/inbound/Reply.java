package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * What the bot answers to a command: text, components, a card; seen by the caller only ({@code ephemeral}) or by
 * the channel. {@code expired} gives the text to replace it with if its components were left unanswered until their
 * time ran out (and nothing when they were answered); the adapter shows that text and removes the components.
 */
public record Reply(String text, List<ComponentRow> rows, Optional<Card> card, boolean ephemeral,
        Mono<String> expired) {

    public Reply {
        rows = List.copyOf(rows);
    }

    public static Reply ephemeral(String text) {
        return new Reply(text, List.of(), Optional.empty(), true, Mono.empty());
    }

    public static Reply visible(String text) {
        return new Reply(text, List.of(), Optional.empty(), false, Mono.empty());
    }

    public Reply withRows(List<ComponentRow> newRows, Mono<String> whenExpired) {
        return new Reply(text, newRows, card, ephemeral, whenExpired);
    }

    public static Reply card(Card card) {
        return new Reply("", List.of(), Optional.of(card), true, Mono.empty());
    }
}
