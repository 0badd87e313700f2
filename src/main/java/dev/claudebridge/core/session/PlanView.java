package dev.claudebridge.core.session;

import dev.claudebridge.core.port.ChatPlatform.Attachment;
import dev.claudebridge.core.port.Markup;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The plan the model proposes, as the owner sees it before approving: its Markdown as written (both platforms render
 * it), whole when it fits the message, else its first lines with the whole attached as {@code plan.md}, so nothing
 * the owner approves is hidden. Pure: no I/O.
 */
final class PlanView {

    /** Lines of a long plan shown above the attachment. */
    static final int EXCERPT_LINES = 15;

    private PlanView() {
    }

    /**
     * @param plan the plan, when the agent knows it
     * @param room how many characters the body may take
     */
    static Approval.View of(Optional<String> plan, Markup m, int room) {
        if (plan.isEmpty() || plan.get().isBlank()) {
            return new Approval.View(ControlTexts.planUnknown(m), List.of());
        }
        String text = plan.get().strip();
        String whole = ControlTexts.PLAN_HEADER + "\n" + text;
        if (length(whole) <= room) {
            return new Approval.View(whole, List.of());
        }
        Attachment file = new Attachment("plan.md", text.getBytes(StandardCharsets.UTF_8));
        List<String> lines = text.lines().toList();
        String note = ControlTexts.planAttached(file.fileName(), lines.size());
        for (int keep = Math.min(EXCERPT_LINES, lines.size()); keep >= 0; keep--) {
            String head = String.join("\n", lines.subList(0, keep));
            String body = ControlTexts.PLAN_HEADER + "\n" + head + (keep < lines.size() ? "\n…" : "") + "\n" + note;
            if (length(body) <= room) {
                return new Approval.View(body, List.of(file));
            }
        }
        return new Approval.View(ControlTexts.PLAN_HEADER + "\n" + note, List.of(file));
    }

    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
