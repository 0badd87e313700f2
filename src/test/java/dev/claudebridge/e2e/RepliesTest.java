package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What replies look like: pages of a long answer, no pings, /status figures, presence. */
@Timeout(180)
final class RepliesTest {

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

    static String longAnswer() {
        StringBuilder text = new StringBuilder();
        for (int section = 1; text.length() < 6000; section++) {
            text.append("Section ").append(section).append(" explains the next step in plain words, with enough ")
                    .append("detail to fill a few lines of a chat message.\n\n```java\n");
            for (int line = 0; line < 12; line++) {
                text.append("int value").append(section).append('_').append(line).append(" = compute(")
                        .append(line).append(");\n");
            }
            text.append("```\n\n");
        }
        return text.append("That is all.").toString();
    }

    private List<String> finalPages(String thread) {
        PostedMessage first = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        world.discord.next(Change.MessageCreated.class, c -> c.message().channelId().equals(thread)
                        && c.message().byBot() && c.message().content().contains("⏱"), BotWorld.WAIT)
                .onErrorResume(e -> reactor.core.publisher.Mono.empty()).block();
        world.discord.changes()
                .filter(c -> (c instanceof Change.MessageEdited e && e.message().channelId().equals(thread)
                        && e.message().content().contains("⏱"))
                        || (c instanceof Change.MessageCreated mc && mc.message().channelId().equals(thread)
                        && mc.message().byBot() && mc.message().content().contains("⏱")))
                .blockFirst(BotWorld.WAIT);
        return world.botMessages(thread).stream()
                .filter(m -> !m.createdAt().isBefore(first.createdAt()))
                .map(m -> world.discord.message(m.id()).content())
                .toList();
    }

    @Test
    void aLongAnswerWithCodeFencesArrivesAsExactPages() {
        String answer = longAnswer();
        assertThat(answer.length()).isGreaterThan(6000);
        world.api.on(Match.userTextContains("long answer"), Reply.text(answer).tokensPerSecond(400));

        world.discord.userMessage(FakeUser.OWNER, world.main(), "a long answer please");
        String thread = world.awaitThread();
        List<String> pages = finalPages(thread);

        assertThat(pages.size()).isGreaterThanOrEqualTo(4);
        for (String page : pages) {
            assertThat(page.codePointCount(0, page.length())).isLessThanOrEqualTo(2000);
            assertThat(page.split("```", -1).length % 2).as("balanced fences").isEqualTo(1);
        }
        assertThat(PageText.modelText(pages, "-# ⏱")).isEqualTo(answer);
    }

    @Test
    void modelOutputWithEveryonePingsNobody() {
        world.api.on(Match.userTextContains("ping"), Reply.text("Hey @everyone and <@&" + FakeUser.FRIEND.roleId()
                + "> and <@" + FakeUser.FRIEND.id() + ">, look!"));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "ping them");
        String thread = world.awaitThread();
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        PostedMessage done = world.awaitState(reply.id(), m -> m.content().contains("⏱"));

        assertThat(done.content()).contains("@everyone");
        assertThat(world.discord.pings()).isEmpty();
        for (PostedMessage m : world.botMessages(thread)) {
            assertThat(m.allowedMentions()).hasValueSatisfying(a -> assertThat(a.path("parse").size()).isZero());
        }
    }

    @Test
    void statusShowsTheCliFiguresAndPresenceFollowsTheTable() {
        world.api.on(Match.userTextContains("first"), Reply.text("word ".repeat(40)).tokensPerSecond(40))
                .on(Match.userTextContains("second"), Reply.text("Second answer."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "first question");
        String thread = world.awaitThread();
        world.discord.next(Change.PresenceUpdated.class, p -> p.presence().activityText().equals("Working on 1"),
                BotWorld.WAIT).block();
        PostedMessage first = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        world.awaitState(first.id(), m -> m.content().contains("⏱"));
        world.discord.userMessage(FakeUser.OWNER, thread, "second question");
        PostedMessage second = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳")
                && !m.id().equals(first.id()));
        world.awaitState(second.id(), m -> m.content().contains("⏱"));
        world.discord.next(Change.PresenceUpdated.class, p -> p.presence().activityText().equals("1 session")
                && p.presence().status().equals("idle"), BotWorld.WAIT).block();

        var status = world.discord.slashCommand(FakeUser.OWNER, world.main(), "status", Map.of());
        String embed = world.discord.changes()
                .filter(c -> c instanceof Change.MessageEdited e && e.message().interactionId()
                        .map(status.id()::equals).orElse(false))
                .map(c -> ((Change.MessageEdited) c).message().embeds().toString())
                .blockFirst(BotWorld.WAIT);
        // Two turns of 100 input / 20 output tokens each, priced by the CLI at $0.0008 a turn (Reply).
        assertThat(embed).contains("2 prompts", "200 tokens in", "40 tokens out", "$0.0016", "<#" + thread + ">",
                "Today (UTC)", "All time");

        List<String> seen = world.discord.presenceUpdates().stream()
                .map(p -> p.status() + ":" + p.activityText()).toList();
        assertThat(seen).contains("dnd:Working on 1", "idle:1 session");
        assertThat(seen.get(0)).isEqualTo("online:Ready");
    }
}
