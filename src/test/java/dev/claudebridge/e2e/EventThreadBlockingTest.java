package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.discord.FakeUser;
import discord4j.core.GatewayDiscordClient;
import discord4j.core.event.domain.message.MessageCreateEvent;
import discord4j.gateway.intent.Intent;
import discord4j.gateway.intent.IntentSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;

/** A handler that blocks on one of Discord4J's event threads is caught by BlockHound in every test. */
@Timeout(60)
final class EventThreadBlockingTest {

    @Test
    void sleepingInAGatewayHandlerIsABlockingOperationError() {
        try (FakeDiscord discord = FakeDiscord.start()) {
            GatewayDiscordClient gateway = discord.client().gateway()
                    .setEnabledIntents(IntentSet.of(Intent.GUILDS, Intent.GUILD_MESSAGES, Intent.MESSAGE_CONTENT))
                    .login().block(Duration.ofSeconds(20));
            try {
                Mono<Throwable> caught = gateway.on(MessageCreateEvent.class)
                        .next()
                        .flatMap(event -> Mono.fromCallable(() -> {
                            Thread.sleep(5); // what a careless handler might do
                            return event;
                        }))
                        .then(Mono.<Throwable>empty())
                        .onErrorResume(Mono::just)
                        .cache();
                caught.subscribe();
                discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "hello");
                Throwable error = caught.block(Duration.ofSeconds(20));
                assertThat(error).isInstanceOf(BlockingOperationError.class);
                assertThat(error.getMessage()).contains("Thread.sleep");
            } finally {
                gateway.logout().block(Duration.ofSeconds(10));
            }
        }
    }
}
