package dev.claudebridge.core.session;

import dev.claudebridge.core.port.Markup;
import java.util.List;

/** What the bot says about a session's model, its permission mode and the plans it approves (/model, /mode). */
public final class ControlTexts {

    private ControlTexts() {
    }

    // ---- /model ----

    public static String modelSet(Markup m, String model, boolean live) {
        return "🧠 Model set to " + m.code(model) + (live ? ": from the next turn (a running turn keeps its model)."
                : ": the CLI starts with it at the next prompt.");
    }

    public static String modelNow(Markup m, String model, List<String> choices) {
        return "🧠 This session's model: " + m.code(model) + ". Choices: " + codes(m, choices) + ".";
    }

    public static String notAModelChoice(Markup m, String given, List<String> choices) {
        return "🚫 " + m.code(given) + " is not one of this bot's models: choose one of " + codes(m, choices)
                + " (MODEL_CHOICES).";
    }

    public static String modelRefused(String why) {
        return "🚫 The CLI refused the model: " + why;
    }

    /** A session on the CLI's default model. */
    public static final String DEFAULT_MODEL = "the CLI's default";

    // ---- /mode ----

    public static String modeSet(Markup m, String mode, boolean live) {
        return "🛂 Permission mode set to " + m.code(mode) + (live ? ": from now on." : ": the CLI starts in it at the "
                + "next prompt.") + (mode.equals(ThreadSession.PLAN) ? " Claude plans without changing anything, "
                + "and asks for approval of its plan before it starts." : "");
    }

    public static String modeNow(Markup m, String mode, List<String> allowed) {
        return "🛂 This session's permission mode: " + m.code(mode) + ". Modes: " + codes(m, allowed) + ".";
    }

    public static String notAMode(Markup m, String given, List<String> allowed) {
        return "🚫 " + m.code(given) + " is not a permission mode here: choose one of " + codes(m, allowed) + ".";
    }

    public static String bypassOff(Markup m) {
        return "🚫 " + m.code("bypassPermissions") + " is turned off on this bot (ALLOW_BYPASS_PERMISSIONS): choose "
                + "another mode.";
    }

    public static String modeRefused(String why) {
        return "🚫 The CLI refused the permission mode: " + why;
    }

    // ---- both ----

    public static String inSessionThread(Markup m, String command) {
        return "Use " + m.command(command) + " in a session's thread: it changes that session.";
    }

    public static final String SESSION_OVER = "This session has ended: its model and mode no longer change.";

    // ---- plan approval ----

    public static final String PLAN_HEADER = "📋 Claude's plan (it asks to leave plan mode and start):";
    public static final String APPROVE_BUTTON = "Approve";
    public static final String KEEP_PLANNING_BUTTON = "Keep planning";
    /** What the model reads when the owner keeps it planning. */
    public static final String KEEP_PLANNING_TOLD = "The user wants you to keep planning: stay in plan mode, refine "
            + "the plan (ask if something is unclear) and call ExitPlanMode again when it is ready.";
    public static final String KEEP_PLANNING_SHOWN = "📝 Kept planning: Claude stays in plan mode.";

    public static String planApproved(Markup m, String mode) {
        return "✅ Plan approved: back to " + m.code(mode) + ".";
    }

    public static String planUnknown(Markup m) {
        return "📋 Claude asks to leave plan mode and start; its plan is in its reply above.";
    }

    public static String planAttached(String fileName, int lines) {
        return "(the whole plan, " + lines + " lines, is attached as " + fileName + ")";
    }

    private static String codes(Markup m, List<String> names) {
        return String.join(", ", names.stream().map(m::code).toList());
    }
}
