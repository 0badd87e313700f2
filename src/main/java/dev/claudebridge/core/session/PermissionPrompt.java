package dev.claudebridge.core.session;

import dev.claudebridge.core.port.AgentPermission;
import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.Button;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.ChatPlatform.OutgoingMessage;
import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.port.SessionMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One permission request shown in the thread (docs/architecture.md §3.8): Allow / Allow for this session / Deny for
 * the owner, a deny at the deadline shown as a relative timestamp, and the message edited to the outcome. An
 * {@code AskUserQuestion} becomes one select menu per question instead, and the plan of an {@code ExitPlanMode}
 * (the model asks to leave plan mode) Approve / Keep planning: approved, the session returns to the mode it had
 * before planning; kept, the model reads that it should go on planning (docs/cli-protocol.md, "Plan mode").
 */
final class PermissionPrompt {

    private static final Logger log = LoggerFactory.getLogger(PermissionPrompt.class);
    static final String ALLOW = "a";
    static final String ALLOW_SESSION = "s";
    static final String DENY = "d";

    private final AgentPermission request;
    private final ChatPlatform chat;
    private final String threadId;
    private final String ownerId;
    private final Duration timeout;
    private final Clock clock;
    private final Scheduler timers;
    private final SessionMetrics metrics;
    private final PlanExit planExit;
    private final Map<Integer, String> answers = new ConcurrentHashMap<>();
    private volatile String messageId;
    private volatile String header = "";
    private volatile boolean expired; // denied by the deadline, not by the owner
    private volatile String approvedMode = ThreadSession.DEFAULT_MODE; // where an approved plan went

    /**
     * What an approved plan does to its session.
     *
     * @param returnMode the mode to return to (read when the owner approves)
     * @param approved   told the mode once the CLI has the approval
     */
    record PlanExit(java.util.function.Supplier<String> returnMode,
            java.util.function.Consumer<String> approved) {
    }

    PermissionPrompt(AgentPermission request, ChatPlatform chat, String threadId, String ownerId, Duration timeout,
            Clock clock, Scheduler timers, SessionMetrics metrics) {
        this(request, chat, threadId, ownerId, timeout, clock, timers, metrics,
                new PlanExit(() -> ThreadSession.DEFAULT_MODE, mode -> { }));
    }

    PermissionPrompt(AgentPermission request, ChatPlatform chat, String threadId, String ownerId, Duration timeout,
            Clock clock, Scheduler timers, SessionMetrics metrics, PlanExit planExit) {
        this.planExit = planExit;
        this.request = request;
        this.chat = chat;
        this.threadId = threadId;
        this.ownerId = ownerId;
        this.timeout = timeout;
        this.clock = clock;
        this.timers = timers;
        this.metrics = metrics;
    }

    String id() {
        return request.id();
    }

    /** Posts the prompt, denies it at the deadline, and shows how it ended; completes when it has ended. */
    Mono<Void> run() {
        Instant asked = clock.instant();
        Markup m = chat.markup();
        String deadline = Texts.onlyOwnerAnswers(m, ownerId, clock.instant().plus(timeout));
        OutgoingMessage message;
        if (isQuestion()) {
            header = Texts.QUESTION;
            message = new OutgoingMessage(header + "\n" + deadline, rows(), List.of());
        } else if (isPlan()) {
            Approval.View view = PlanView.of(request.plan(), m, chat.pageLimit() - deadline.length() - 1);
            header = view.body();
            message = new OutgoingMessage(header + "\n" + deadline, rows(), view.files());
        } else {
            // The whole input first (attached when it does not fit), then the exact rule the middle button adds.
            String rule = request.sessionRule().map(r -> Texts.sessionRuleOffered(m, r)).orElse(Texts.NO_SESSION_RULE);
            Approval.View view = Approval.of(request, m, chat.pageLimit() - rule.length() - deadline.length() - 2);
            header = view.body();
            message = new OutgoingMessage(header + "\n" + rule + "\n" + deadline, rows(), view.files());
        }
        return chat.post(threadId, message)
                .doOnNext(id -> messageId = id)
                .then(request.outcome()
                        .timeout(timeout, Mono.defer(this::expire), timers))
                .doOnNext(outcome -> metrics.permissionOver(expired ? SessionMetrics.TIMED_OUT
                        : outcome.name().toLowerCase(java.util.Locale.ROOT), Duration.between(asked, clock.instant())))
                .flatMap(this::showOutcome)
                .onErrorResume(e -> {
                    log.atWarn().addKeyValue("thread", threadId).log("permission prompt failed: {}", e.toString());
                    return request.deny(Texts.couldNotShowRequest(e.getMessage()))
                            .onErrorResume(x -> Mono.empty());
                });
    }

    private Mono<AgentPermission.Outcome> expire() {
        return request.deny(Texts.noAnswerWithin(timeout))
                .doOnSuccess(v -> expired = true)
                .onErrorResume(IllegalStateException.class, e -> Mono.empty()) // answered at the last moment
                .then(request.outcome());
    }

    private Mono<Void> showOutcome(AgentPermission.Outcome outcome) {
        String result = switch (outcome) {
            case ALLOWED -> isPlan() ? ControlTexts.planApproved(chat.markup(), approvedMode)
                    : isQuestion() ? Texts.answered(answers.values()) : Texts.ALLOWED;
            case ALLOWED_FOR_SESSION -> Texts.allowedForSession(request.sessionRule().orElse(request.toolName()));
            case DENIED -> isPlan() && !expired ? ControlTexts.KEEP_PLANNING_SHOWN : Texts.DENIED;
            case WITHDRAWN -> Texts.WITHDRAWN;
            case ENDED_WITH_TURN -> Texts.WITHDRAWN_TURN_ENDED;
        };
        return chat.edit(threadId, messageId, OutgoingMessage.text(header + "\n" + result)).then();
    }

    /** A click by {@code userId}; the caller has checked nothing. Returns a refusal to show, or empty. */
    Mono<String> click(String userId, String action, List<String> values) {
        if (!userId.equals(ownerId)) {
            return Mono.just(Texts.NOT_OWNER_ANSWER);
        }
        Mono<Void> answer;
        if (isPlan()) {
            if (!action.equals(ALLOW) && !action.equals(DENY)) {
                return Mono.just(Texts.UNKNOWN_BUTTON); // a forged button: a plan has only these two
            }
            answer = action.equals(ALLOW) ? approvePlan() : request.deny(ControlTexts.KEEP_PLANNING_TOLD);
        } else if (isQuestion()) {
            answers.put(Integer.parseInt(action), String.join(", ", values));
            if (answers.size() < questions().size()) {
                return Mono.empty();
            }
            answer = request.allow(withAnswers());
        } else {
            if (action.equals(ALLOW_SESSION) && request.sessionRule().isEmpty()) {
                return Mono.just(Texts.NO_SESSION_RULE); // a stale or forged button: none was shown
            }
            answer = switch (action) {
                case ALLOW -> request.allow();
                case ALLOW_SESSION -> request.allowForSession();
                default -> request.deny(Texts.DENIED_IN_CHAT);
            };
        }
        return answer.then(Mono.<String>empty())
                .onErrorResume(IllegalStateException.class, e -> Mono.just(Texts.ALREADY_ANSWERED));
    }

    /** The CLI leaves plan mode for the mode the session had before planning, set with the approval itself. */
    private Mono<Void> approvePlan() {
        String mode = planExit.returnMode().get();
        approvedMode = mode;
        return request.allowSettingMode(mode).doOnSuccess(v -> planExit.approved().accept(mode));
    }

    private boolean isPlan() {
        return request.toolName().equals(EXIT_PLAN_MODE);
    }

    static final String EXIT_PLAN_MODE = "ExitPlanMode";

    private boolean isQuestion() {
        return request.toolName().equals("AskUserQuestion") && !questions().isEmpty();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> questions() {
        Object qs = request.input().get("questions");
        if (!(qs instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().filter(q -> q instanceof Map).map(q -> (Map<String, Object>) q).limit(5).toList();
    }

    /** The input plus {@code answers}: question text → chosen label (PROTOCOL.md §16). */
    private Map<String, Object> withAnswers() {
        Map<String, Object> updated = new LinkedHashMap<>(request.input());
        Map<String, Object> chosen = new LinkedHashMap<>();
        List<Map<String, Object>> qs = questions();
        for (int i = 0; i < qs.size(); i++) {
            chosen.put(String.valueOf(qs.get(i).get("question")), answers.get(i));
        }
        updated.put("answers", chosen);
        return updated;
    }

    private List<ComponentRow> rows() {
        if (isPlan()) {
            return List.of(new ComponentRow.Buttons(List.of(
                    new Button(customId(ALLOW), ControlTexts.APPROVE_BUTTON, Button.Style.SUCCESS, false),
                    new Button(customId(DENY), ControlTexts.KEEP_PLANNING_BUTTON, Button.Style.SECONDARY, false))));
        }
        if (!isQuestion()) {
            List<Button> buttons = new ArrayList<>();
            buttons.add(new Button(customId(ALLOW), Texts.ALLOW_BUTTON, Button.Style.SUCCESS, false));
            if (request.sessionRule().isPresent()) {
                buttons.add(new Button(customId(ALLOW_SESSION), Texts.ALLOW_SESSION_BUTTON, Button.Style.PRIMARY,
                        false));
            }
            buttons.add(new Button(customId(DENY), Texts.DENY_BUTTON, Button.Style.DANGER, false));
            return List.of(new ComponentRow.Buttons(buttons));
        }
        List<ComponentRow> rows = new ArrayList<>();
        List<Map<String, Object>> qs = questions();
        for (int i = 0; i < qs.size(); i++) {
            Map<String, Object> q = qs.get(i);
            List<ChatPlatform.Option> options = new ArrayList<>();
            if (q.get("options") instanceof List<?> opts) {
                for (Object o : opts) {
                    if (o instanceof Map<?, ?> option) {
                        String label = String.valueOf(option.get("label"));
                        options.add(new ChatPlatform.Option(Texts.oneLine(label, 100), Texts.oneLine(label, 100),
                                Texts.oneLine(String.valueOf(option.get("description") == null ? "" : option.get("description")), 100)));
                    }
                }
            }
            boolean multi = Boolean.TRUE.equals(q.get("multiSelect"));
            rows.add(new ComponentRow.Select(ComponentIds.of(ComponentIds.ASK, threadId, request.id(),
                    String.valueOf(i)), Texts.oneLine(String.valueOf(q.get("question")), 150),
                    options.stream().limit(25).toList(), multi ? Math.min(25, options.size()) : 1));
        }
        return rows;
    }

    private String customId(String action) {
        return ComponentIds.of(ComponentIds.PERMISSION, threadId, request.id(), action);
    }
}
