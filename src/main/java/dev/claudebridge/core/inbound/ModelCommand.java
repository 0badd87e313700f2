package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.session.ControlTexts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.List;
import java.util.Optional;

/**
 * /model [name]: in a session's thread, its owner switches the session's model to one of {@code MODEL_CHOICES}: a live
 * CLI from its next turn ({@code set_model}), else at its next start; the session keeps it across restarts. Without a
 * name: the model now and the choices.
 */
final class ModelCommand implements Command {

    static final String NAME = "model";
    static final String OPTION = "name";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Switch this session's model from the next turn";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option(OPTION, "The model (one of the bot's choices)", true));
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command(NAME) + " [name]") + ": in a session's thread, switch its model from the next turn";
    }

    @Override
    public List<String> suggest(String option, String typed, Bridge bridge) {
        return option.equals(OPTION) ? Command.matching(bridge.sessions().settings().modelChoices(), typed)
                : List.of();
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        List<String> choices = bridge.sessions().settings().modelChoices();
        Optional<ThreadSession> here = SessionControl.owned(call, bridge);
        if (here.isEmpty()) {
            return SessionControl.refusal(call, bridge, NAME);
        }
        ThreadSession session = here.get();
        Optional<String> name = call.option(OPTION);
        if (name.isEmpty()) {
            return Answer.refuse(ControlTexts.modelNow(bridge.markup(),
                    session.modes().model().orElse(ControlTexts.DEFAULT_MODEL), choices));
        }
        if (!choices.contains(name.get())) {
            return Answer.refuse(ControlTexts.notAModelChoice(bridge.markup(), name.get(), choices));
        }
        return SessionControl.change(bridge, session, ThreadSession.Setting.MODEL, name.get(),
                live -> ControlTexts.modelSet(bridge.markup(), name.get(), live), ControlTexts::modelRefused);
    }
}
