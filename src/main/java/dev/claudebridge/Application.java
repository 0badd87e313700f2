package dev.claudebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.ClaudeAgentRuntime;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.core.session.SessionRegistry;
import dev.claudebridge.core.session.SessionSettings;
import dev.claudebridge.discord.DiscordBot;
import dev.claudebridge.support.BotSchedulers;
import java.time.Clock;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The bot wired from its configuration: what {@link Main} runs and what end-to-end tests start. */
public final class Application {

    private final DiscordBot bot;
    private final BotSchedulers schedulers;

    private Application(DiscordBot bot, BotSchedulers schedulers) {
        this.bot = bot;
        this.schedulers = schedulers;
    }

    public static Mono<Application> start(BridgeConfig config, Clock clock) {
        BotSchedulers schedulers = BotSchedulers.create();
        ClaudeAgentRuntime runtime = new ClaudeAgentRuntime(config, new ObjectMapper(), schedulers.processStart(),
                clock);
        SessionSettings settings = new SessionSettings(config.workspaceRoot(), config.queueLimit(),
                config.permissionTimeout(), config.turnTimeout(), config.maxSessionsPerUser());
        return DiscordBot.start(config, chat -> new SessionRegistry(runtime, chat, settings, clock),
                        schedulers.processStart(), clock)
                .map(bot -> new Application(bot, schedulers))
                .doOnError(e -> schedulers.close());
    }

    public DiscordBot bot() {
        return bot;
    }

    public SessionRegistry sessions() {
        return bot.sessions();
    }

    public Mono<Void> onDisconnect() {
        return bot.onDisconnect();
    }

    /** Stops every CLI (in parallel) and logs out, within {@code deadline}. */
    public Mono<Void> stop(Duration deadline) {
        return Flux.fromIterable(bot.sessions().all())
                .flatMap(s -> s.stop().onErrorResume(e -> Mono.empty()))
                .then()
                .timeout(deadline, Mono.empty())
                .then(bot.logout().onErrorResume(e -> Mono.empty()))
                .doFinally(s -> schedulers.close());
    }
}
