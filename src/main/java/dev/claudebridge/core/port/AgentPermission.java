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

    /** The whole input as the agent sent it, as indented JSON: what the owner is shown before approving. */
    String inputJson();

    Mono<Void> allow();

    /** Allow with a changed input (AskUserQuestion answers travel this way). */
    Mono<Void> allow(Map<String, Object> updatedInput);

    /**
     * Allow and stop asking for calls that {@link #sessionRule()} matches for the rest of the session; fails with
     * {@link IllegalStateException} when no rule is offered.
     */
    Mono<Void> allowForSession();

    /**
     * The rule {@link #allowForSession()} adds, as the agent writes it (e.g. {@code Bash(touch:*)}, {@code Write}),
     * or empty when none is offered for this call (a command whose first word can run anything).
     */
    java.util.Optional<String> sessionRule();

    Mono<Void> deny(String message);

    /**
     * Allow, and with the same answer set the session's permission mode: an approved plan (ExitPlanMode) leaves plan
     * mode for {@code mode}.
     */
    Mono<Void> allowSettingMode(String mode);

    /**
     * For ExitPlanMode: the plan the model proposed, when the agent knows it (the request itself may carry none),
     * else empty.
     */
    default java.util.Optional<String> plan() {
        return java.util.Optional.empty();
    }

    /** Completes when the request ended, however it ended. */
    Mono<Outcome> outcome();
}
