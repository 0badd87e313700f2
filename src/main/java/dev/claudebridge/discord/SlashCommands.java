package dev.claudebridge.discord;

import discord4j.core.object.command.ApplicationCommandOption;
import discord4j.discordjson.json.ApplicationCommandOptionData;
import discord4j.discordjson.json.ApplicationCommandRequest;
import discord4j.rest.RestClient;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** The bot's slash commands, registered by one bulk overwrite (idempotent: the same list gives the same state). */
final class SlashCommands {

    static final String NEW = "new";
    static final String STOP = "stop";
    static final String CONTINUE = "continue";
    static final String STATUS = "status";
    static final String HELP = "help";
    static final String EXPORT = "export";

    static final List<String> HELP_LINES = List.of(
            "`/new [prompt] [directory] [model]`: start a session in a new thread (or just post a message here)",
            "`/stop`: stop one of your sessions; its queued prompts are dropped",
            "`/continue`: go back to your most recent session",
            "`/status`: your active sessions with their state, tokens and cost, and your totals",
            "`/export`: this thread's conversation as a Markdown file",
            "`/help`: this list");

    private SlashCommands() {
    }

    static List<ApplicationCommandRequest> definitions() {
        return List.of(
                ApplicationCommandRequest.builder().name(NEW).description("Start a Claude Code session in a new thread")
                        .addOption(option("prompt", "The first prompt"))
                        .addOption(option("directory", "Working directory, relative to the workspace root"))
                        .addOption(option("model", "Model name or alias (e.g. sonnet, opus)"))
                        .build(),
                ApplicationCommandRequest.builder().name(STOP).description("Stop one of your sessions").build(),
                ApplicationCommandRequest.builder().name(CONTINUE).description("Go back to your most recent session")
                        .build(),
                ApplicationCommandRequest.builder().name(STATUS).description("Your sessions, tokens and cost").build(),
                ApplicationCommandRequest.builder().name(EXPORT).description("This thread's conversation as a file")
                        .build(),
                ApplicationCommandRequest.builder().name(HELP).description("What the bot can do").build());
    }

    private static ApplicationCommandOptionData option(String name, String description) {
        return ApplicationCommandOptionData.builder().name(name).description(description)
                .type(ApplicationCommandOption.Type.STRING.getValue()).required(false).build();
    }

    /** Per guild when one is configured (instant), else globally. */
    static Mono<Void> register(RestClient rest, Optional<Long> guildId) {
        return rest.getApplicationId().flatMap(appId -> guildId
                .map(g -> rest.getApplicationService().bulkOverwriteGuildApplicationCommand(appId, g, definitions()))
                .orElseGet(() -> rest.getApplicationService().bulkOverwriteGlobalApplicationCommand(appId,
                        definitions()))
                .then());
    }
}
