package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Failures the user sees, each as a clear line in the thread; nothing dropped silently. */
@Timeout(180)
final class FailuresTest {

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
    void anErrorResultShowsItsText() throws Exception {
        world = BotWorld.start(root);
        world.api.on(Match.userTextContains("break"), Reply.error(400, "Bad request (scripted)"));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "break it");
        String thread = world.awaitThread();
        PostedMessage done = world.awaitContent(thread, c -> c.contains("⏱"));
        assertThat(done.content()).contains("⚠️ The turn failed:", "400");
    }

    @Test
    void aTurnOverTheTimeoutIsInterruptedAndSaidSo() throws Exception {
        // 5 s: long enough that the short second turn fits on a loaded machine (2 s did not, once).
        world = BotWorld.start(root, s -> s, Map.of("TURN_TIMEOUT", "5s"));
        world.api.on(Match.userTextContains("forever"), Reply.text("word ".repeat(400)).tokensPerSecond(20))
                .on(Match.userTextContains("after"), Reply.text("Back again."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "talk forever");
        String thread = world.awaitThread();

        PostedMessage notice = world.botMessage(m -> m.channelId().equals(thread) && m.content().contains("TURN_TIMEOUT"));
        assertThat(notice.content()).contains("5s");
        world.discord.userMessage(FakeUser.OWNER, thread, "and after that?");
        assertThat(world.awaitContent(thread, c -> c.startsWith("Back again.") && c.contains("⏱"))).isNotNull();
    }

    @Test
    void anEditRefusedForGoodIsPostedAsANewMessage() throws Exception {
        world = BotWorld.start(root);
        String answer = "word ".repeat(60).strip();
        world.api.on(Match.userTextContains("old message"), Reply.text(answer).tokensPerSecond(15));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "an old message test");
        String thread = world.awaitThread();
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        world.awaitState(reply.id(), m -> m.content().startsWith("word"));
        // Discord refuses edits of messages older than an hour (30046): make this one old.
        world.discord.ageMessage(reply.id(), Duration.ofHours(2));

        PostedMessage done = world.awaitContent(thread, c -> c.startsWith(answer) && c.contains("⏱"));
        assertThat(done.id()).isNotEqualTo(reply.id());
    }

    @Test
    void linesTheBridgeCannotReadAreSaidInTheThreadAndTheReplyStillArrives() throws Exception {
        // The real CLI never writes such lines, so a script CLI does (docs/architecture.md §2 allows it for this).
        String script = Path.of("src", "test", "resources", "fakecli", "stream-answer.py").toAbsolutePath().toString();
        world = BotWorld.start(root, s -> s, Map.of("CLAUDE_BIN", script, "MAX_LINE_BYTES", "8KiB"));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "prefix=nz tokens=5 rate=50 noise=1");
        String thread = world.awaitThread();

        PostedMessage notJson = world.botMessage(m -> m.channelId().equals(thread) && m.content().contains("not "
                + "stream-json"));
        assertThat(notJson.content()).contains("[fake-cli] this line is not stream-json");
        PostedMessage oversized = world.botMessage(m -> m.channelId().equals(thread)
                && m.content().contains("over MAX_LINE_BYTES"));
        assertThat(oversized.content()).contains("stream_event", "dropped");
        assertThat(world.awaitContent(thread, c -> c.startsWith("nzw0001 nzw0002 nzw0003 nzw0004 nzw0005")
                && c.contains("⏱"))).isNotNull();
    }
}
