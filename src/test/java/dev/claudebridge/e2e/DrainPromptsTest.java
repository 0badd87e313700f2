package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.port.SessionStore;
import dev.claudebridge.core.session.SessionState;
import dev.claudebridge.core.session.ThreadSession;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sessions' part of a drain, with the gateway still up (as it is until the drain logs out): a running turn is
 * announced and interrupted, and a prompt that arrives afterwards is answered with a notice and kept in the stored
 * inbox for the next run, never started and never lost; a new session started meanwhile keeps its first prompt too.
 */
@Timeout(180)
final class DrainPromptsTest {

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

    @Test
    void promptsDuringADrainAreKeptForAfterTheRestart() {
        world.api.on(Match.userTextContains("slow story"), Reply.text("word ".repeat(500)).tokensPerSecond(3));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "tell a slow story");
        String thread = world.awaitThread();
        world.awaitContent(thread, c -> c.startsWith("word"));
        ThreadSession session = world.app.sessions().get(thread).orElseThrow();

        world.app.sessions().drain().block(Duration.ofSeconds(20));

        assertThat(world.botMessages(thread)).extracting(m -> world.discord.message(m.id()).content())
                .anyMatch(c -> c.startsWith("🔄 Restarting: this turn is interrupted."));
        assertThat(session.cliAlive()).isFalse();
        assertThat(session.state()).isEqualTo(SessionState.STOPPED);

        int requestsBefore = world.api.requests().size();
        world.discord.userMessage(FakeUser.OWNER, thread, "after the drain item-B");
        world.awaitContent(thread, c -> c.startsWith("🔄 The bot is restarting: this prompt is kept"));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "a new session during the drain item-C");
        String second = world.discord.next(Change.ThreadCreated.class, t -> !t.thread().id().equals(thread),
                BotWorld.WAIT).block().thread().id();
        world.awaitContent(second, c -> c.startsWith("🔄 The bot is restarting: this prompt is kept"));

        world.app.sessions().flush().block(Duration.ofSeconds(10));
        SessionStore store = world.app.sessions().store();
        assertThat(store.inbox("discord", thread).map(SessionStore.QueuedPrompt::text).collectList().block(BotWorld.WAIT))
                .containsExactly("after the drain item-B");
        assertThat(store.inbox("discord", second).map(SessionStore.QueuedPrompt::text).collectList().block(BotWorld.WAIT))
                .containsExactly("a new session during the drain item-C");
        assertThat(world.app.sessions().all()).noneMatch(ThreadSession::cliAlive);
        assertThat(world.api.requests().subList(requestsBefore, world.api.requests().size()))
                .as("no prompt reached the model during the drain").isEmpty();
        List<SessionStore.TurnRecord> turns = store.turns("discord", thread).collectList().block(BotWorld.WAIT);
        assertThat(turns).extracting(SessionStore.TurnRecord::outcome).containsExactly("interrupted");
    }
}
