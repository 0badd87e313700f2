package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Deny by default: the stranger gets refusals to commands and clicks, and nothing at all for messages. */
@Timeout(120)
final class AccessTest {

    @TempDir
    Path root;

    private BotWorld world;

    @BeforeEach
    void start() throws Exception {
        world = BotWorld.start(root);
    }

    @AfterEach
    void stop() {
        world.close();
    }

    private Change.InteractionAnswered answer(InteractionRef ref) {
        return world.discord.next(Change.InteractionAnswered.class, a -> a.interactionId().equals(ref.id()),
                BotWorld.WAIT).block();
    }

    @Test
    void theStrangerIsRefusedEverywhere() {
        world.api.on(Match.userTextContains("owner asks"), Reply.text("word ".repeat(200)).tokensPerSecond(20));
        world.discord.userMessage(FakeUser.STRANGER, world.main(), "stranger asks for a session");
        world.discord.userMessage(FakeUser.OWNER, world.main(), "owner asks for a session");
        String thread = world.awaitThread();
        assertThat(world.discord.threads()).hasSize(1);
        PostedMessage live = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));

        world.discord.userMessage(FakeUser.STRANGER, thread, "stranger prompt in the thread");
        Change.InteractionAnswered command = answer(world.discord.slashCommand(FakeUser.STRANGER, world.main(),
                "status", Map.of()));
        assertThat(command.callbackType()).isEqualTo(4);
        assertThat(command.data().path("flags").asInt() & 64).isEqualTo(64);
        assertThat(command.data().path("content").asText()).contains("not allowed");

        Change.InteractionAnswered click = answer(world.discord.clickButton(FakeUser.STRANGER, live.id(),
                live.customIds().get(0)));
        assertThat(click.data().path("flags").asInt() & 64).isEqualTo(64);
        assertThat(world.awaitState(live.id(), m -> m.content().contains("⏱")).content()).doesNotContain("Interrupted");

        assertThat(world.api.requests().stream().noneMatch(r -> r.userText().contains("stranger"))).isTrue();
        assertThat(world.discord.messages(world.main()).stream().filter(m -> m.byBot() && !m.ephemeral())).isEmpty();
    }

    @Test
    void theFriendIsAllowedThroughTheRole() {
        world.api.on(Match.userTextContains("friend asks"), Reply.text("Hello friend."));
        world.discord.userMessage(FakeUser.FRIEND, world.main(), "friend asks");
        String thread = world.awaitThread();
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        assertThat(world.awaitState(reply.id(), m -> m.content().contains("⏱")).content()).startsWith("Hello friend.");
    }
}
