package dev.claudebridge.agent.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.agent.protocol.CliEvent;
import dev.claudebridge.agent.protocol.SessionRules;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A {@code can_use_tool} request from the CLI. It is answered exactly once: the first of allow, allow for the
 * session, deny or {@link #withdraw} wins; later answers fail with {@link IllegalStateException}. The CLI may withdraw
 * it first ({@code control_cancel_request}), and it ends with its turn or its process.
 */
public final class PermissionRequest {

    /** How the request ended. */
    public enum Outcome { ALLOWED, ALLOWED_FOR_SESSION, DENIED, WITHDRAWN_BY_CLI, ENDED_WITH_TURN }

    private final CliEvent.CanUseTool request;
    private final Answerer answerer;
    private final AtomicReference<Outcome> outcome = new AtomicReference<>();
    private final Sinks.One<Outcome> done = Sinks.one();
    private final Optional<String> plan;

    PermissionRequest(CliEvent.CanUseTool request, Answerer answerer) {
        this(request, answerer, Optional.empty());
    }

    /** @param plan for ExitPlanMode: the plan the model proposed (the request itself carries an empty input) */
    PermissionRequest(CliEvent.CanUseTool request, Answerer answerer, Optional<String> plan) {
        this.request = request;
        this.answerer = answerer;
        this.plan = plan;
    }

    /**
     * For ExitPlanMode: the plan the model proposed, from its tool call. 2.1.332 sends the request with
     * {@code input: {}} (transcript 27_exit_plan_mode_approve), so the plan is taken from the model's call.
     */
    public Optional<String> plan() {
        return plan;
    }

    public CliEvent.CanUseTool request() {
        return request;
    }

    public String toolName() {
        return request.toolName();
    }

    public JsonNode input() {
        return request.input();
    }

    /** Allow with the input as the CLI sent it. */
    public Mono<Void> allow() {
        return allow(request.input());
    }

    /** Allow, possibly with a rewritten input (AskUserQuestion answers travel this way). */
    public Mono<Void> allow(JsonNode updatedInput) {
        return answer(Outcome.ALLOWED, m -> m.allow(request.requestId(), updatedInput, List.of()));
    }

    /**
     * Allow, and add a session rule so the same kind of call does not ask again (docs/architecture.md §3.8). Fails
     * with {@link IllegalStateException} when no rule is offered for this call ({@link #sessionRule()} is empty).
     */
    public Mono<Void> allowForSession() {
        Optional<SessionRules.Rule> rule = sessionRule();
        if (rule.isEmpty()) {
            return Mono.error(new IllegalStateException("no session rule is offered for this call"));
        }
        return answer(Outcome.ALLOWED_FOR_SESSION, m -> m.allow(request.requestId(), request.input(),
                List.of(m.sessionRule(rule.get()))));
    }

    /** The rule {@link #allowForSession()} adds, or empty when none is offered for this call. */
    public Optional<SessionRules.Rule> sessionRule() {
        return SessionRules.forCall(request.toolName(), request.input());
    }

    /**
     * Allow, and set the session's permission mode with the same answer (an approved plan leaves plan mode for
     * {@code mode}).
     */
    public Mono<Void> allowSettingMode(String mode) {
        return answer(Outcome.ALLOWED, m -> m.allow(request.requestId(), request.input(), List.of(m.setMode(mode))));
    }

    public Mono<Void> deny(String message) {
        return answer(Outcome.DENIED, m -> m.deny(request.requestId(), message));
    }

    /** How it ended, once it has. */
    public Mono<Outcome> outcome() {
        return done.asMono();
    }

    public boolean isOpen() {
        return outcome.get() == null;
    }

    /** The CLI cancelled it, or its turn or process ended: no answer is written. */
    void close(Outcome why) {
        if (outcome.compareAndSet(null, why)) {
            done.tryEmitValue(why);
        }
    }

    private Mono<Void> answer(Outcome result, Function<dev.claudebridge.agent.protocol.CliMessages, String> line) {
        return Mono.defer(() -> {
            if (!outcome.compareAndSet(null, result)) {
                return Mono.error(new IllegalStateException("permission request " + request.requestId()
                        + " was already " + outcome.get()));
            }
            done.tryEmitValue(result);
            return answerer.write(request.requestId(), line);
        });
    }

    /** Writes an answer line and forgets the request. */
    interface Answerer {
        Mono<Void> write(String requestId, Function<dev.claudebridge.agent.protocol.CliMessages, String> line);

        dev.claudebridge.agent.protocol.CliMessages messages();
    }
}
