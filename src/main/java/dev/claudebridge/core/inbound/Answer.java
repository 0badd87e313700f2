package dev.claudebridge.core.inbound;

import reactor.core.publisher.Mono;

/**
 * The core's answer to a command, decided at once: either the reply itself (a refusal, a list) or a promise of one
 * after some work (a thread to open, a CLI to stop). Chat platforms want an interaction acknowledged within seconds
 * (Discord: 3 s), so the adapter answers {@link Now} at once and acknowledges {@link Later} at once ("thinking…",
 * visible or ephemeral as said) before the work runs.
 */
public sealed interface Answer {

    record Now(Reply reply) implements Answer {
    }

    /** @param ephemeral what the acknowledgement is; a reply of the other kind replaces it with a followup */
    record Later(boolean ephemeral, Mono<Reply> reply) implements Answer {
    }

    static Answer now(Reply reply) {
        return new Now(reply);
    }

    static Answer refuse(String text) {
        return new Now(Reply.ephemeral(text));
    }
}
