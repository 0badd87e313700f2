package dev.claudebridge.discord;

import dev.claudebridge.core.inbound.Command;
import discord4j.core.object.command.ApplicationCommandOption;
import discord4j.discordjson.json.ApplicationCommandData;
import discord4j.discordjson.json.ApplicationCommandOptionData;
import discord4j.discordjson.json.ApplicationCommandRequest;
import discord4j.discordjson.possible.Possible;
import discord4j.rest.RestClient;
import discord4j.rest.service.ApplicationService;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The core's commands as Discord slash commands. Nothing here names a command: the list comes from the core.
 *
 * <p>At start-up the commands Discord has are read first (one GET) and overwritten (one bulk PUT, idempotent) only
 * when they differ from ours: a restart with the same build changes nothing, costs no write against Discord's daily
 * limit on command creation, and does not hold start-up back. Discord itself is asked, not a hash kept by the bot,
 * so a change made elsewhere (another deployment of the same application, the developer portal) is put right too.
 */
final class SlashCommands {

    private static final Logger log = LoggerFactory.getLogger(SlashCommands.class);
    /** Discord's type for a slash command, which it reports even when the request left the type out. */
    private static final int CHAT_INPUT = 1;

    private SlashCommands() {
    }

    static List<ApplicationCommandRequest> definitions(List<Command> commands) {
        return commands.stream()
                .<ApplicationCommandRequest>map(c -> ApplicationCommandRequest.builder().name(c.name())
                        .description(c.description())
                        .addAllOptions(c.options().stream().map(SlashCommands::option).toList())
                        .build())
                .toList();
    }

    /** A string option; one whose values the core suggests is an autocomplete option (Discord asks as one types). */
    private static ApplicationCommandOptionData option(Command.Option option) {
        var data = ApplicationCommandOptionData.builder().name(option.name())
                .description(option.description()).type(ApplicationCommandOption.Type.STRING.getValue())
                .required(false);
        return (option.suggested() ? data.autocomplete(true) : data).build();
    }

    /**
     * Per guild when one is configured (instant), else globally; overwritten only when what Discord has differs.
     *
     * @return whether the commands were written
     */
    static Mono<Boolean> sync(RestClient rest, Optional<Long> guildId, List<Command> commands) {
        List<ApplicationCommandRequest> definitions = definitions(commands);
        ApplicationService api = rest.getApplicationService();
        return rest.getApplicationId().flatMap(appId -> {
            Flux<ApplicationCommandData> registered = guildId
                    .map(g -> api.getGuildApplicationCommands(appId, g))
                    .orElseGet(() -> api.getGlobalApplicationCommands(appId));
            return registered.collectList().flatMap(have -> {
                if (same(have, definitions)) {
                    log.info("{} slash commands unchanged; not registered again", definitions.size());
                    return Mono.just(false);
                }
                return guildId
                        .map(g -> api.bulkOverwriteGuildApplicationCommand(appId, g, definitions))
                        .orElseGet(() -> api.bulkOverwriteGlobalApplicationCommand(appId, definitions))
                        .then(Mono.fromRunnable(() -> log.info("{} slash commands registered ({} were there)",
                                definitions.size(), have.size())))
                        .thenReturn(true);
            });
        });
    }

    /** A command as far as this bot defines it: what a difference in would make the overwrite worth it. */
    record Shape(String name, String description, int type, List<OptionShape> options) {
    }

    record OptionShape(String name, String description, int type, boolean required, boolean autocomplete) {
    }

    /**
     * Whether Discord has exactly our commands, comparing only the fields we set. Discord answers with more (ids,
     * versions, permissions, contexts) and leaves out what is at its default ({@code required: false}, an empty
     * option list, a type of 1), so the two sides are brought to one shape first.
     */
    static boolean same(List<ApplicationCommandData> registered, List<ApplicationCommandRequest> wanted) {
        Comparator<Shape> byName = Comparator.comparing(Shape::name);
        return registered.stream().map(SlashCommands::shape).sorted(byName).toList()
                .equals(wanted.stream().map(SlashCommands::shape).sorted(byName).toList());
    }

    static Shape shape(ApplicationCommandData c) {
        return new Shape(c.name(), c.description(), c.type().toOptional().orElse(CHAT_INPUT),
                options(c.options()));
    }

    static Shape shape(ApplicationCommandRequest c) {
        return new Shape(c.name(), c.description().toOptional().orElse(""), c.type().toOptional().orElse(CHAT_INPUT),
                options(c.options()));
    }

    private static List<OptionShape> options(Possible<List<ApplicationCommandOptionData>> options) {
        return options.toOptional().orElse(List.of()).stream()
                .map(o -> new OptionShape(o.name(), o.description(), o.type(),
                        o.required().toOptional().orElse(false), o.autocomplete().toOptional().orElse(false)))
                .toList();
    }
}
