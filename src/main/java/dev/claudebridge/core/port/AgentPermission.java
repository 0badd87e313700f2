package dev.claudebridge.core.port;

import java.util.Map;
import reactor.core.publisher.Mono;

/** A tool permission request; answered exactly once (a second answer fails). */
public interface AgentPermission {

    /** How a request ended. */
    enum Outcome { ALLOWED, ALLOWED_FOR_SESSION, DENIED, WITHDRAWN, ENDED_WITH_TURN }

    String id();

    String toolName();

    Map<String, Object> input();

    Mono<Void> allow();

    /** Allow with a changed input (AskUserQuestion answers travel this way). */
    Mono<Void> allow(Map<String, Object> updatedInput);

    /** Allow and stop asking for this kind of call for the rest of the session; the rule said in words. */
    Mono<Void> allowForSession();

    /** The rule that {@link #allowForSession()} adds, in words for the thread. */
    String sessionRuleDescription();

    Mono<Void> deny(String message);

    /** Completes when the request ended, however it ended. */
    Mono<Outcome> outcome();
}
