package dev.claudebridge.discord;

import dev.claudebridge.core.inbound.Command;
import discord4j.core.object.command.ApplicationCommandOption;
import discord4j.discordjson.json.ApplicationCommandOptionData;
import discord4j.discordjson.json.ApplicationCommandRequest;
import discord4j.rest.RestClient;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * The core's commands as Discord slash commands, registered by one bulk overwrite (idempotent: the same list gives the
 * same state). Nothing here names a command: the list comes from the core.
 */
final class SlashCommands {

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

    private static ApplicationCommandOptionData option(Command.Option option) {
        return ApplicationCommandOptionData.builder().name(option.name()).description(option.description())
                .type(ApplicationCommandOption.Type.STRING.getValue()).required(false).build();
    }

    /** Per guild when one is configured (instant), else globally. */
    static Mono<Void> register(RestClient rest, Optional<Long> guildId, List<Command> commands) {
        List<ApplicationCommandRequest> definitions = definitions(commands);
        return rest.getApplicationId().flatMap(appId -> guildId
                .map(g -> rest.getApplicationService().bulkOverwriteGuildApplicationCommand(appId, g, definitions))
                .orElseGet(() -> rest.getApplicationService().bulkOverwriteGlobalApplicationCommand(appId,
                        definitions))
                .then());
    }
}
