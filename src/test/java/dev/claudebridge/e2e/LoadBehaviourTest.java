package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeDiscordSettings;
import dev.claudebridge.testkit.discord.FakeRoutes;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent sessions, slow edits and a lowered rate limit: the final text stays exact and nothing is 429ed. */
@Timeout(180)
final class LoadBehaviourTest {

    @TempDir
    Path root;

    private BotWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    private static String words(String tag, int n) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            text.append(tag).append(i).append(' ');
        }
        return text.toString().strip();
    }

    private String finalText(String thread) {
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        String content = world.awaitState(reply.id(), m -> m.content().contains("⏱")).content();
        return content.substring(0, content.lastIndexOf("\n-# ⏱"));
    }

    @Test
    void threeSessionsStreamingAtOnceStaySeparate() throws Exception {
        world = BotWorld.start(root);
        Map<String, String> answers = new HashMap<>();
        for (String tag : List.of("alpha", "beta", "gamma")) {
            answers.put(tag, words(tag, 60));
            world.api.on(Match.userTextContains(tag + " story"), Reply.text(answers.get(tag)).tokensPerSecond(40));
        }
        Map<String, String> threads = new HashMap<>();
        for (String tag : List.of("alpha", "beta", "gamma")) {
            world.discord.userMessage(FakeUser.OWNER, world.main(), tag + " story please");
            threads.put(tag, world.discord.next(Change.ThreadCreated.class, t -> t.thread().name().startsWith(tag),
                    BotWorld.WAIT).block().thread().id());
        }
        for (String tag : List.of("alpha", "beta", "gamma")) {
            assertThat(finalText(threads.get(tag))).isEqualTo(answers.get(tag));
        }
        assertThat(world.discord.rateLimitedTotal()).isZero();
    }

    @Test
    void slowEditsAreCoalescedAndTheFinalTextIsExact() throws Exception {
        world = BotWorld.start(root);
        world.discord.delayRoute(FakeRoutes.EDIT_MESSAGE, Duration.ofMillis(300));
        String answer = words("w", 120);
        world.api.on(Match.userTextContains("slow edits"), Reply.text(answer).tokensPerSecond(40));

        world.discord.userMessage(FakeUser.OWNER, world.main(), "slow edits please");
        String thread = world.awaitThread();
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        PostedMessage done = world.awaitState(reply.id(), m -> m.content().contains("⏱"));

        assertThat(done.content()).startsWith(answer);
        // 120 frames were produced (one per token); far fewer edits went out.
        assertThat(done.edits().size()).isLessThan(40).isGreaterThan(1);
        assertThat(world.discord.rateLimitedTotal()).isZero();
    }

    @Test
    void aLimitLoweredMidReplyIsFollowedWithoutA429() throws Exception {
        world = BotWorld.start(root);
        String answer = words("x", 200);
        world.api.on(Match.userTextContains("lowered"), Reply.text(answer).tokensPerSecond(25));

        world.discord.userMessage(FakeUser.OWNER, world.main(), "lowered limit please");
        String thread = world.awaitThread();
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        world.awaitState(reply.id(), m -> m.edits().size() >= 3);
        world.discord.updateSettings(s -> s.withMessageEdit(new FakeDiscordSettings.RateLimit(2,
                Duration.ofSeconds(5))));
        PostedMessage done = world.awaitState(reply.id(), m -> m.content().contains("⏱"));

        assertThat(done.content()).startsWith(answer);
        assertThat(world.discord.rateLimitedTotal()).isZero();
    }

    @Test
    void serverErrorsOnPostsAndEditsLoseNothing() throws Exception {
        world = BotWorld.start(root);
        String answer = words("e", 300);
        world.api.on(Match.userTextContains("flaky"), Reply.text(answer).tokensPerSecond(50));
        // A third of the posts and half of the edits answer 500 (Discord4J retries them).
        world.discord.failRoute(FakeRoutes.EDIT_MESSAGE, 0.5);
        world.discord.failRoute(FakeRoutes.CREATE_MESSAGE, 0.33);
        world.discord.userMessage(FakeUser.OWNER, world.main(), "flaky discord please");
        String thread = world.awaitThread();
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));

        PostedMessage done = world.awaitState(reply.id(), m -> m.content().contains("⏱"));

        assertThat(done.content()).startsWith(answer);
        // Every other edit request was refused (the fake's share is exact), so it saw about twice what it accepted.
        long accepted = world.botMessages(thread).stream().mapToLong(m -> world.discord.message(m.id()).edits().size())
                .sum();
        assertThat(accepted).isPositive();
        assertThat(world.discord.requestCounts().get(FakeRoutes.EDIT_MESSAGE)).isGreaterThanOrEqualTo(2 * accepted - 1);
    }
}
