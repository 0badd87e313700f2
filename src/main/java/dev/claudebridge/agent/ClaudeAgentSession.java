package dev.claudebridge.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.process.CliProcess;
import dev.claudebridge.agent.process.ExitStatus;
import dev.claudebridge.agent.protocol.CliEvent;
import dev.claudebridge.agent.protocol.CliMessages;
import dev.claudebridge.agent.protocol.SessionRules;
import dev.claudebridge.agent.session.ClaudeSession;
import dev.claudebridge.agent.session.CliExitedException;
import dev.claudebridge.agent.session.PermissionRequest;
import dev.claudebridge.agent.session.TurnFailedException;
import dev.claudebridge.agent.session.TurnResult;
import dev.claudebridge.core.port.AgentEvent;
import dev.claudebridge.core.port.AgentExit;
import dev.claudebridge.core.port.AgentPermission;
import dev.claudebridge.core.port.AgentSession;
import dev.claudebridge.core.port.ContextUsage;
import dev.claudebridge.core.port.ResumeRefused;
import dev.claudebridge.core.port.TurnOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A {@link ClaudeSession} seen through the core's port: events mapped, errors turned into {@link AgentExit}. */
final class ClaudeAgentSession implements AgentSession {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    /** What the CLI answers to {@code --resume} of an id it has no transcript for (2.1.197 and 2.1.332). */
    private static final String NO_CONVERSATION = "No conversation found";

    private final ClaudeSession session;
    private final ObjectMapper mapper;
    private final ClaudeAgentRuntime.StopTimes stopTimes;
    private final Flux<AgentEvent> events;
    private final java.util.function.Function<ClaudeSession, Optional<String>> positions;

    ClaudeAgentSession(ClaudeSession session, ObjectMapper mapper, ClaudeAgentRuntime.StopTimes stopTimes) {
        this(session, mapper, stopTimes, s -> Optional.empty());
    }

    /** @param positions where the session's output stands, in the runtime's words ({@link #position()}) */
    ClaudeAgentSession(ClaudeSession session, ObjectMapper mapper, ClaudeAgentRuntime.StopTimes stopTimes,
            java.util.function.Function<ClaudeSession, Optional<String>> positions) {
        this.session = session;
        this.mapper = mapper;
        this.stopTimes = stopTimes;
        this.positions = positions;
        this.events = session.events().concatMapIterable(this::map);
    }

    @Override
    public Optional<String> position() {
        return positions.apply(session);
    }

    @Override
    public Mono<Boolean> detach() {
        return Mono.fromSupplier(() -> session.process().detach());
    }

    @Override
    public Mono<TurnOutcome> resumeTurn() {
        return session.resumeTurn().map(ClaudeAgentSession::outcome).onErrorMap(this::asExit);
    }

    @Override
    public Flux<AgentEvent> events() {
        return events;
    }

    @Override
    public Flux<AgentPermission> permissions() {
        return session.permissionRequests().map(Permission::new);
    }

    @Override
    public Mono<TurnOutcome> send(String prompt) {
        return session.send(prompt).map(ClaudeAgentSession::outcome).onErrorMap(this::asExit);
    }

    /** The text, then each image as a base64 {@code image} block of one {@code user} line (docs/cli-protocol.md). */
    @Override
    public Mono<TurnOutcome> send(String prompt, List<Image> images) {
        if (images.isEmpty()) {
            return send(prompt);
        }
        List<CliMessages.UserBlock> blocks = new java.util.ArrayList<>();
        blocks.add(new CliMessages.UserBlock.Text(prompt));
        images.forEach(i -> blocks.add(new CliMessages.UserBlock.Image(i.mediaType(),
                java.util.Base64.getEncoder().encodeToString(i.data()))));
        return session.send(blocks).map(ClaudeAgentSession::outcome).onErrorMap(this::asExit);
    }

    /**
     * Completes when the CLI answered {@code initialize}. A resume of a conversation the CLI does not have fails here
     * with {@link ResumeRefused} (the CLI answers its start-up failure in place of the handshake, then exits).
     */
    Mono<Void> ready() {
        return session.initialize().then().onErrorMap(this::asStartFailure);
    }

    @Override
    public Mono<Void> interrupt() {
        return session.interrupt();
    }

    /** The CLI's own {@code get_context_usage} figures (docs/cli-protocol.md "Context, /compact and /clear"). */
    @Override
    public Mono<ContextUsage> contextUsage() {
        return session.contextUsage()
                .filter(answer -> answer.path("percentage").isNumber())
                .map(answer -> new ContextUsage(answer.path("percentage").asInt(),
                        answer.path("totalTokens").asLong(), answer.path("maxTokens").asLong()));
    }

    @Override
    public Mono<AgentExit> exit() {
        return session.exit().map(this::exitOf);
    }

    @Override
    public Mono<AgentExit> stop() {
        return session.stop(stopTimes.interruptWait(), stopTimes.grace(), stopTimes.killAfter()).map(this::exitOf);
    }

    @Override
    public boolean stopRequested() {
        return session.stopRequested();
    }

    @Override
    public Optional<String> conversationId() {
        return session.sessionId();
    }

    @Override
    public Mono<Void> setModel(String model) {
        return session.setModel(model).onErrorMap(this::asExit);
    }

    @Override
    public Mono<Void> setPermissionMode(String mode) {
        return session.setPermissionMode(mode).onErrorMap(this::asExit);
    }

    /** The child process, when the CLI is one of the bot's (its pid and start time find it again after a crash). */
    Optional<CliProcess> childProcess() {
        return session.process() instanceof CliProcess p ? Optional.of(p) : Optional.empty();
    }

    /** Only the main conversation is reply text; a subagent's traffic is not. */
    private List<AgentEvent> map(CliEvent event) {
        return switch (event) {
            case CliEvent.TextDelta d when d.parentToolUseId().isEmpty() -> List.of(new AgentEvent.TextDelta(d.text()));
            case CliEvent.BlockStop s when s.parentToolUseId().isEmpty() -> List.of(new AgentEvent.TextBlockEnd());
            case CliEvent.Assistant a when a.parentToolUseId().isEmpty() -> a.content().stream()
                    .filter(b -> b instanceof CliEvent.ContentBlock.ToolUse)
                    .map(b -> (AgentEvent) toolUse((CliEvent.ContentBlock.ToolUse) b))
                    .toList();
            case CliEvent.ToolResults r when r.parentToolUseId().isEmpty() -> r.results().stream()
                    .map(t -> (AgentEvent) new AgentEvent.ToolResult(t.toolUseId(), t.isError()))
                    .toList();
            case CliEvent.ApiRetry retry -> List.of(new AgentEvent.Retrying(retry.attempt(), retry.maxRetries(),
                    retry.errorStatus().map(s -> "HTTP " + s).orElse(retry.error())));
            case CliEvent.Interrupted i -> List.of(new AgentEvent.Interrupted());
            case CliEvent.CompactBoundary c -> List.of(new AgentEvent.Compacted(c.trigger().equals("auto"),
                    c.preTokens(), c.postTokens()));
            case CliEvent.SystemStatus st when st.compactResult().filter("failed"::equals).isPresent() ->
                    List.of(new AgentEvent.CompactFailed(st.compactError().orElse("compaction failed")));
            case CliEvent.ConversationReset r -> List.of(new AgentEvent.Cleared());
            case CliEvent.NotJson line -> List.of(new AgentEvent.Notice("⚠️ The CLI wrote a line that is not "
                    + "stream-json; it was skipped: `" + inline(line.line(), 120) + "`"));
            case CliEvent.Oversized line -> List.of(new AgentEvent.Notice(oversized(line)));
            default -> List.of();
        };
    }

    /** A line fit for inline code in a chat message: one line, no backticks, at most {@code max} characters. */
    private static String inline(String text, int max) {
        String flat = text.replaceAll("\\R", " ").replace('`', '\'').strip();
        return flat.length() <= max ? flat : flat.substring(0, max - 1) + "…";
    }

    /** What happened to a line over {@code MAX_LINE_BYTES} (ClaudeSession acts on it; this says it). */
    private static String oversized(CliEvent.Oversized line) {
        String what = line.type() + line.subtype().map(s -> "/" + s).orElse("") + " line of " + line.bytes()
                + " bytes is over MAX_LINE_BYTES";
        if (line.type().equals("control_request") && line.subtype().orElse("").equals("can_use_tool")) {
            return "⚠️ A permission request (" + what + "): it was denied.";
        }
        if (line.type().equals("result")) {
            return "⚠️ The turn's result (" + what + "): the turn ends as failed.";
        }
        return "⚠️ A " + what + ": it was dropped, and the reply may miss part of it.";
    }

    private AgentEvent.ToolUse toolUse(CliEvent.ContentBlock.ToolUse use) {
        return new AgentEvent.ToolUse(use.id(), use.name(), toMap(use.input()), use.input().toString());
    }

    private Map<String, Object> toMap(JsonNode node) {
        return node.isObject() ? mapper.convertValue(node, MAP) : Map.of();
    }

    private static TurnOutcome outcome(TurnResult turn) {
        CliEvent.Result r = turn.result();
        boolean interrupted = r.terminalReason().map(t -> t.startsWith("aborted")).orElse(false);
        return new TurnOutcome(r.isError(), interrupted, r.errorText(), turn.costUsd(), turn.tokensIn(),
                turn.tokensOut(), Duration.ofMillis(r.durationMs()));
    }

    private Throwable asStartFailure(Throwable error) {
        if (error instanceof TurnFailedException e && e.getMessage().contains(NO_CONVERSATION)) {
            return new ResumeRefused("the CLI found no such conversation");
        }
        return asExit(error);
    }

    private Throwable asExit(Throwable error) {
        if (error instanceof CliExitedException e) {
            return new AgentExit("the CLI " + e.status().describe(), e.status().success(), e.stderrTail());
        }
        if (error instanceof TurnFailedException e) {
            return new AgentExit(e.getMessage(), false, session.process().stderrTail());
        }
        return error;
    }

    private AgentExit exitOf(ExitStatus status) {
        return new AgentExit("the CLI " + status.describe(), status.success(), session.process().stderrTail());
    }

    /** A permission request through the port; the JSON input is shown to the core as plain values. */
    private final class Permission implements AgentPermission {

        private final PermissionRequest request;

        Permission(PermissionRequest request) {
            this.request = request;
        }

        @Override
        public String id() {
            return request.request().requestId();
        }

        @Override
        public String toolName() {
            return request.toolName();
        }

        @Override
        public Map<String, Object> input() {
            return toMap(request.input());
        }

        @Override
        public Mono<Void> allow() {
            return request.allow();
        }

        @Override
        public Mono<Void> allow(Map<String, Object> updatedInput) {
            return request.allow(mapper.valueToTree(updatedInput));
        }

        @Override
        public Mono<Void> allowForSession() {
            return request.allowForSession();
        }

        @Override
        public Optional<String> sessionRule() {
            return request.sessionRule().map(SessionRules.Rule::display);
        }

        @Override
        public String inputJson() {
            try {
                return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(request.input());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return request.input().toString();
            }
        }

        @Override
        public Mono<Void> deny(String message) {
            return request.deny(message);
        }

        @Override
        public Mono<Void> allowSettingMode(String mode) {
            return request.allowSettingMode(mode);
        }

        @Override
        public Optional<String> plan() {
            return request.plan();
        }

        @Override
        public Mono<Outcome> outcome() {
            return request.outcome().map(o -> switch (o) {
                case ALLOWED -> Outcome.ALLOWED;
                case ALLOWED_FOR_SESSION -> Outcome.ALLOWED_FOR_SESSION;
                case DENIED -> Outcome.DENIED;
                case WITHDRAWN_BY_CLI -> Outcome.WITHDRAWN;
                case ENDED_WITH_TURN -> Outcome.ENDED_WITH_TURN;
            });
        }
    }

}
