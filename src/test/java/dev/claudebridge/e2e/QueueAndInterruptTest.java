package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Prompts sent while a turn runs wait in order (⏳), the 11th is refused, and an interrupt keeps the queue. */
@Timeout(180)
final class QueueAndInterruptTest {

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

    private static String item(int i) {
        return String.format("item-%02d", i);
    }

    @Test
    void queuedPromptsKeepTheirOrderTheEleventhIsRefusedAndInterruptKeepsTheQueue() {
        world.api.on(Match.userTextContains("long story"), Reply.text("word ".repeat(400)).tokensPerSecond(20));
        for (int i = 1; i <= 11; i++) {
            world.api.on(Match.userTextContains(item(i)), Reply.text("Answer to " + item(i) + "."));
        }
        world.discord.userMessage(FakeUser.OWNER, world.main(), "tell a long story");
        String thread = world.awaitThread();
        PostedMessage live = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        world.awaitState(live.id(), m -> m.content().startsWith("word"));

        List<String> queued = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            queued.add(world.discord.userMessage(FakeUser.OWNER, thread, "please answer " + item(i)));
        }
        for (String id : queued) {
            world.discord.next(Change.ReactionAdded.class, r -> r.messageId().equals(id) && r.emoji().equals("⏳"),
                    BotWorld.WAIT).block();
        }
        world.discord.userMessage(FakeUser.FRIEND, thread, "please answer " + item(11));
        PostedMessage refusal = world.botMessage(m -> m.channelId().equals(thread)
                && m.content().contains("10 prompts are already waiting"));
        assertThat(refusal).isNotNull();

        world.discord.clickButton(FakeUser.OWNER, live.id(), live.customIds().get(0));
        PostedMessage interrupted = world.awaitState(live.id(), m -> m.content().contains("⏱"));
        assertThat(interrupted.content()).contains("Interrupted");

        // Ten replies in one channel share its edit budget (5 per 5 s): about 3 s each.
        PostedMessage last = world.awaitContent(thread, c -> c.contains("Answer to " + item(10)), Duration.ofSeconds(90));
        world.awaitState(last.id(), m -> m.content().contains("⏱"));
        List<String> answers = world.botMessages(thread).stream()
                .map(m -> world.discord.message(m.id()).content())
                .filter(c -> c.startsWith("Answer to "))
                .map(c -> c.substring("Answer to ".length(), "Answer to ".length() + 7))
                .toList();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            expected.add(item(i));
        }
        assertThat(answers).isEqualTo(expected);
        assertThat(world.api.requests().stream().noneMatch(r -> r.userText().contains(item(11)))).isTrue();
        for (String id : queued) {
            assertThat(world.discord.message(id).reactions().getOrDefault("⏳", List.of())).isEmpty();
        }
    }

    @Test
    void stopDropsTheQueueListsWhatWasDroppedAndKeepsWhatTheTurnProduced() {
        world.api.on(Match.userTextContains("long story"), Reply.text("word ".repeat(400)).tokensPerSecond(20))
                .on(Match.userTextContains("queued"), Reply.text("unexpected"));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "tell a long story");
        String thread = world.awaitThread();
        PostedMessage live = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        world.awaitState(live.id(), m -> m.content().startsWith("word word"));
        List<String> queued = List.of(world.discord.userMessage(FakeUser.OWNER, thread, "queued first"),
                world.discord.userMessage(FakeUser.OWNER, thread, "queued second"));
        for (String id : queued) {
            world.discord.next(Change.ReactionAdded.class, r -> r.messageId().equals(id) && r.emoji().equals("⏳"),
                    BotWorld.WAIT).block();
        }

        world.discord.slashCommand(FakeUser.OWNER, world.main(), "stop", java.util.Map.of());

        PostedMessage stopped = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏹️"));
        assertThat(stopped.content()).contains("2 queued prompt(s) were dropped", "queued first", "queued second");
        PostedMessage kept = world.awaitState(live.id(), m -> m.content().contains("⏱"));
        assertThat(kept.content()).startsWith("word word").contains("Interrupted");
        assertThat(world.app.sessions().get(thread).orElseThrow().state().name()).isEqualTo("STOPPED");
        assertThat(world.api.requests().stream().noneMatch(r -> r.userText().contains("queued"))).isTrue();
    }
}
