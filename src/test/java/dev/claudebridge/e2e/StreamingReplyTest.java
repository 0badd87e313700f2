package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
final class StreamingReplyTest {

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
    void aMessageInTheMainChannelStartsAThreadAndTheReplyStreamsIntoIt() {
        String answer = "Hello from the fake model, streamed word by word into one live message.";
        world.api.on(Match.userTextContains("hello bot"), Reply.text(answer).tokensPerSecond(20));

        world.discord.userMessage(FakeUser.OWNER, world.main(), "hello bot, please answer");
        String thread = world.awaitThread();
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        PostedMessage done = world.awaitState(reply.id(), m -> m.content().contains("⏱"));

        assertThat(done.content()).startsWith(answer);
        assertThat(done.edits().size()).isGreaterThan(1);
        assertThat(done.components().size()).isZero();
        assertThat(world.discord.pings()).isEmpty();
        assertThat(done.allowedMentions()).isPresent();
    }
}
