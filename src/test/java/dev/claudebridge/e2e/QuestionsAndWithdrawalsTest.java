package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two permission flows that are not a plain Allow/Deny (docs/architecture.md §3.8), with the real CLI: an
 * AskUserQuestion answered through a select menu, and a request the CLI withdraws because the turn was interrupted.
 */
@Timeout(120)
final class QuestionsAndWithdrawalsTest {

    @TempDir
    Path root;

    private BotWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void aQuestionBecomesASelectMenuAndTheChoiceReachesTheModel() throws Exception {
        world = BotWorld.start(root);
        Map<String, Object> question = Map.of("question", "Which database should we use?", "header", "Database",
                "multiSelect", false, "options", List.of(
                        Map.of("label", "H2", "description", "embedded"),
                        Map.of("label", "PostgreSQL", "description", "server")));
        world.api.on(Match.userTextContains("pick a database"), Reply.blocks(Block.text("Let me ask."),
                        Block.toolUse("AskUserQuestion", Map.of("questions", List.of(question)))))
                // What the CLI tells the model once answered (PROTOCOL.md §16): the oracle is the CLI's own text.
                .on(Match.toolResultContains("AskUserQuestion", "\"Which database should we use?\"=\"PostgreSQL\""),
                        Reply.text("PostgreSQL it is."))
                .on(Match.toolResultFor("AskUserQuestion"), Reply.text("The answer did not arrive."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "pick a database for me");
        String thread = world.awaitThread();

        PostedMessage ask = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("❓"));
        assertThat(ask.components().toString()).contains("Which database should we use?", "H2", "PostgreSQL");
        assertThat(ask.customIds()).hasSize(1);
        var refused = world.discord.chooseSelect(FakeUser.FRIEND, ask.id(), ask.customIds().get(0),
                List.of("H2"));
        Change.InteractionAnswered refusal = world.discord.next(Change.InteractionAnswered.class,
                a -> a.interactionId().equals(refused.id()), BotWorld.WAIT).block();
        assertThat(refusal.data().path("flags").asInt() & 64).isEqualTo(64);
        assertThat(refusal.data().path("content").asText()).contains("owner");

        world.discord.chooseSelect(FakeUser.OWNER, ask.id(), ask.customIds().get(0), List.of("PostgreSQL"));

        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        assertThat(world.awaitState(reply.id(), m -> m.content().contains("⏱")).content())
                .contains("PostgreSQL it is.");
        PostedMessage answered = world.awaitState(ask.id(), m -> m.content().contains("Answered"));
        assertThat(answered.content()).contains("✅ Answered: PostgreSQL");
        assertThat(answered.components().size()).isZero();
    }

    @Test
    void interruptingWhileAPermissionIsPendingWithdrawsItAndTheSessionGoesOn() throws Exception {
        world = BotWorld.start(root);
        world.api.on(Match.userTextContains("risky"), Reply.blocks(Block.text("Running it."),
                        Block.toolUse("Bash", Map.of("command", "touch never.txt", "description", "Run it"))))
                .on(Match.userTextContains("after"), Reply.text("Still here."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "do the risky thing");
        String thread = world.awaitThread();
        PostedMessage prompt = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("🔐"));
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        String interrupt = world.awaitState(reply.id(), m -> !m.customIds().isEmpty()).customIds().get(0);
        world.discord.next(Change.PresenceUpdated.class, p -> p.presence().status().equals("dnd")
                && p.presence().activityText().equals("1 awaiting approval · 1 running"), BotWorld.WAIT).block();

        world.discord.clickButton(FakeUser.OWNER, reply.id(), interrupt);

        PostedMessage withdrawn = world.awaitState(prompt.id(), m -> m.content().contains("Withdrawn"));
        assertThat(withdrawn.components().size()).isZero();
        assertThat(world.awaitState(reply.id(), m -> m.content().contains("⏱")).content()).contains("Interrupted");
        assertThat(Files.exists(world.workspace.resolve("never.txt"))).isFalse();

        world.discord.userMessage(FakeUser.OWNER, thread, "and after that?");
        PostedMessage next = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳")
                && !m.id().equals(reply.id()));
        assertThat(world.awaitState(next.id(), m -> m.content().contains("⏱")).content()).contains("Still here.");
    }
}
