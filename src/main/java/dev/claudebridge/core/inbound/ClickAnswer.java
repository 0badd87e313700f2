package dev.claudebridge.core.inbound;

import java.util.Optional;
import reactor.core.publisher.Mono;

/** The core's answer to a click on a component, decided at once (see {@link Answer} for why). */
public sealed interface ClickAnswer {

    /** Told to the clicker alone, at once; nothing else happens. */
    record Refuse(String text) implements ClickAnswer {
    }

    /**
     * The clicked message loses its components at once (its text replaced when given), so it cannot be clicked
     * twice; then {@code then} runs.
     */
    record Close(Optional<String> text, Mono<Void> then) implements ClickAnswer {
    }

    /** Acknowledged at once without a visible change; the work's result says what follows. */
    record Work(Mono<Result> result) implements ClickAnswer {
    }

    sealed interface Result {
        /** Nothing more to show. */
        record Done() implements Result {
        }

        /** The clicked message now says {@code text}, without components. */
        record Replace(String text) implements Result {
        }

        /** The clicker alone is told {@code text}. */
        record Tell(String text) implements Result {
        }
    }

    Result DONE = new Result.Done();
}
