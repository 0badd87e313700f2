package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.session.ControlTexts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * /mode [mode]: in a session's thread, its owner switches the session's permission mode: {@code default},
 * {@code acceptEdits} (file edits in the working directory run without asking), {@code plan} (Claude plans, then asks
 * for approval of its plan), and {@code bypassPermissions} only when {@code ALLOW_BYPASS_PERMISSIONS} allows it. A
 * live CLI switches at once ({@code set_permission_mode}), else at its next start; the session keeps it across
 * restarts. Without a mode: the mode now and the choices.
 */
final class ModeCommand implements Command {

    static final String NAME = "mode";
    static final String OPTION = "mode";
    static final String BYPASS = "bypassPermissions";
    private static final List<String> MODES = List.of("default", "acceptEdits", "plan");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Switch this session's permission mode (default, acceptEdits, plan)";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option(OPTION, "default, acceptEdits or plan", true));
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command(NAME) + " [mode]") + ": in a session's thread, switch its permission mode (default, "
                + "acceptEdits, plan: Claude plans and asks you to approve the plan)";
    }

    /** The modes this bot offers. */
    static List<String> allowed(Bridge bridge) {
        List<String> modes = new ArrayList<>(MODES);
        if (bridge.sessions().settings().allowBypassPermissions()) {
            modes.add(BYPASS);
        }
        return List.copyOf(modes);
    }

    @Override
    public List<String> suggest(String option, String typed, Bridge bridge) {
        return option.equals(OPTION) ? Command.matching(allowed(bridge), typed) : List.of();
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        List<String> allowed = allowed(bridge);
        Optional<ThreadSession> here = SessionControl.owned(call, bridge);
        if (here.isEmpty()) {
            return SessionControl.refusal(call, bridge, NAME);
        }
        ThreadSession session = here.get();
        Optional<String> given = call.option(OPTION);
        if (given.isEmpty()) {
            return Answer.refuse(ControlTexts.modeNow(bridge.markup(),
                    session.modes().permissionMode().orElse("default"), allowed));
        }
        // Typed in any case (acceptedits); the CLI takes the exact names.
        Optional<String> mode = allowed.stream().filter(a -> a.equalsIgnoreCase(given.get())).findFirst();
        if (mode.isEmpty()) {
            return Answer.refuse(given.get().toLowerCase(Locale.ROOT).equals(BYPASS.toLowerCase(Locale.ROOT))
                    ? ControlTexts.bypassOff(bridge.markup())
                    : ControlTexts.notAMode(bridge.markup(), given.get(), allowed));
        }
        return SessionControl.change(bridge, session, ThreadSession.Setting.PERMISSION_MODE, mode.get(),
                live -> ControlTexts.modeSet(bridge.markup(), mode.get(), live), ControlTexts::modeRefused);
    }
}
