package dev.claudebridge.agent.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.agent.protocol.CliEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The plans the model proposes, as one CLI's output shows them, for the ExitPlanMode permission request: 2.1.332
 * sends that request with {@code input: {}} (transcript 27_exit_plan_mode_approve), so the plan is taken from the
 * model's own tool call, seen just before. The model either passes it as {@code plan} or writes it to a plan file
 * first ({@code <config dir>/plans/<name>.md}) and calls ExitPlanMode without it; then the last content written
 * to such a file is the plan. Touched by one thread at a time (the session's event bookkeeping).
 */
final class Plans {

    static final String EXIT_PLAN_MODE = "ExitPlanMode";
    /** Calls remembered at most, so a model that never asks cannot grow this. */
    private static final int MAX_CALLS = 16;

    private final Map<String, String> byToolUse = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_CALLS;
        }
    };
    private Optional<String> lastWritten = Optional.empty();

    /** Notes the plan of each ExitPlanMode call, and the content of each plan file written, of the main agent. */
    void note(CliEvent.Assistant message) {
        if (message.parentToolUseId().isPresent()) {
            return; // a subagent's plan is not the session's
        }
        for (CliEvent.ContentBlock block : message.content()) {
            if (!(block instanceof CliEvent.ContentBlock.ToolUse use)) {
                continue;
            }
            JsonNode input = use.input();
            if (use.name().equals(EXIT_PLAN_MODE)) {
                String plan = input.path("plan").asText("");
                Optional<String> shown = plan.isBlank() ? lastWritten : Optional.of(plan);
                shown.ifPresent(p -> byToolUse.put(use.id(), p));
            } else if (use.name().equals("Write") && isPlanFile(input.path("file_path").asText(""))) {
                lastWritten = Optional.of(input.path("content").asText("")).filter(c -> !c.isBlank());
            }
        }
    }

    /** The plan of an ExitPlanMode call, once. */
    Optional<String> take(String toolUseId) {
        return Optional.ofNullable(byToolUse.remove(toolUseId));
    }

    private static boolean isPlanFile(String path) {
        return path.endsWith(".md") && path.contains("/plans/");
    }
}
