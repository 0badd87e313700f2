package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.session.ComponentIds;
import dev.claudebridge.core.session.Texts;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * /new [prompt] [directory] [model]: a session in a new thread of the main channel. A user who already has one is
 * asked to confirm (the confirmation expires); the per-user limit is reserved atomically when the thread is made.
 */
final class NewCommand implements Command {

    @Override
    public String name() {
        return "new";
    }

    @Override
    public String description() {
        return "Start a Claude Code session in a new thread";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option("prompt", "The first prompt"),
                new Option("directory", "Working directory, relative to the workspace root"),
                new Option("model", "Model name or alias (e.g. sonnet, opus)"));
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("new") + " [prompt] [directory] [model]")
                + ": start a session in a new thread (or just post a message here)";
    }

    /** Model names and aliases as the CLI takes them: {@code opus}, {@code claude-opus-4-5-20251101}, {@code opus[1m]}. */
    static final int MAX_MODEL_LENGTH = 100;
    private static final Pattern VALID_MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/\\[\\]-]{0,"
            + (MAX_MODEL_LENGTH - 1) + "}");

    static boolean validModel(String name) {
        return VALID_MODEL.matcher(name).matches();
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        if (!bridge.mainPlace().contains(call.channelId())) {
            return Answer.refuse(Texts.useNewIn(bridge.markup(), bridge.mainPlace().name(bridge.markup())));
        }
        Optional<String> badModel = call.option("model").filter(m -> !validModel(m));
        if (badModel.isPresent()) { // refused here: a bad name would fail every later save of the session
            return Answer.refuse(Texts.badModel(MAX_MODEL_LENGTH));
        }
        String user = call.actor().userId();
        Bridge.NewRequest request = new Bridge.NewRequest(user, call.scopeId(), call.channelId(),
                call.option("prompt"),
                call.option("directory"), call.option("model"));
        // The slot is taken first, atomically: of two quick /new, only the first starts without a confirmation.
        java.util.OptionalInt before = bridge.sessions().reserveCounting(user);
        if (before.isEmpty()) { // a burst of /new: the limit is taken atomically here
            return Answer.refuse(Texts.limitReached(bridge.markup(), bridge.sessions().activeOf(user).size()));
        }
        int active = before.getAsInt();
        if (active > 0) {
            bridge.sessions().releaseSlot(user); // the confirmation takes its own slot when clicked
            Mono<String> expired = bridge.pendingNew.open(call.id(), user, request);
            Reply confirm = Reply.ephemeral(Texts.startAnother(active)).withRows(List.of(new ComponentRow.Buttons(
                    List.of(new ChatPlatform.Button(ComponentIds.of(Bridge.NEW_CONFIRM, call.id(), "start"), "Start",
                                    ChatPlatform.Button.Style.PRIMARY, false),
                            new ChatPlatform.Button(ComponentIds.of(Bridge.NEW_CONFIRM, call.id(), "cancel"),
                                    "Cancel", ChatPlatform.Button.Style.SECONDARY, false)))), expired);
            return new Answer.Later(true, Mono.just(confirm));
        }
        return new Answer.Later(false, bridge.create(request).map(created -> created.threadId()
                .map(t -> Reply.visible(Texts.sessionStarted(bridge.markup(), t)))
                .orElseGet(() -> Reply.ephemeral(created.refusal()))));
    }
}
