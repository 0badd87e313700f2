package dev.claudebridge.agent.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.protocol.CliEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The plan shown for an ExitPlanMode request, whose input 2.1.332 sends empty (transcript
 * 27_exit_plan_mode_approve): from the model's call, else from the plan file it wrote last.
 */
final class PlansTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static CliEvent.Assistant call(String id, String tool, Map<String, Object> input,
            Optional<String> parent) {
        return new CliEvent.Assistant("msg_1", "claude-opus-5-5", List.of(new CliEvent.ContentBlock.ToolUse(id, tool,
                JSON.valueToTree(input))), parent, Optional.empty());
    }

    @Test
    void thePlanOfTheCallIsTakenOnce() {
        Plans plans = new Plans();
        plans.note(call("toolu_1", "ExitPlanMode", Map.of("plan", "1. Do it"), Optional.empty()));
        assertThat(plans.take("toolu_1")).contains("1. Do it");
        assertThat(plans.take("toolu_1")).isEmpty();
    }

    @Test
    void aCallWithoutAPlanShowsThePlanFileWrittenLast() {
        Plans plans = new Plans();
        plans.note(call("toolu_1", "Write", Map.of("file_path", "/cfg/plans/old-plan.md", "content", "old"),
                Optional.empty()));
        plans.note(call("toolu_2", "Write", Map.of("file_path", "/work/notes.md", "content", "not a plan"),
                Optional.empty()));
        plans.note(call("toolu_3", "Write", Map.of("file_path", "/cfg/plans/brave-plan.md", "content", "# Plan\n1."),
                Optional.empty()));
        plans.note(call("toolu_4", "ExitPlanMode", Map.of(), Optional.empty()));
        assertThat(plans.take("toolu_4")).contains("# Plan\n1.");
    }

    @Test
    void aSubagentsPlanIsNotTheSessionsAndNoPlanIsNone() {
        Plans plans = new Plans();
        plans.note(call("toolu_1", "ExitPlanMode", Map.of("plan", "theirs"), Optional.of("toolu_0")));
        plans.note(call("toolu_2", "ExitPlanMode", Map.of(), Optional.empty()));
        assertThat(plans.take("toolu_1")).isEmpty();
        assertThat(plans.take("toolu_2")).isEmpty();
    }
}
