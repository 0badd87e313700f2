package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * Admins (here by role: {@code ADMIN_ROLE_IDS} is the friend's role): an admin stops someone else's session in its
 * thread, and stops every session with /stopall after a confirmation; each is said in the affected thread. The
 * owner, who is no admin, is refused both.
 */
@Timeout(180)
final class AdminTest {

    @TempDir
    Path root;

    private BotWorld world;

    @BeforeEach
    void start() throws Exception {
        world = BotWorld.start(root, s -> s, Map.of("ADMIN_ROLE_IDS", FakeUser.FRIEND.roleId()));
        world.api.on(Match.any(), Reply.text("Fine."));
    }

    @AfterEach
    void stop() {
        world.close();
    }

    private String session(FakeUser user, String text) {
        java.util.Set<String> before = world.discord.threads().stream().map(t -> t.id())
                .collect(java.util.stream.Collectors.toSet());
        world.discord.userMessage(user, world.main(), text);
        String thread = world.discord.next(Change.ThreadCreated.class, t -> !before.contains(t.thread().id()),
                BotWorld.WAIT).block().thread().id();
        world.awaitContent(thread, c -> c.startsWith("Fine.") && c.contains("⏱"));
        return thread;
    }

    private String answer(InteractionRef ref) {
        return world.discord.changes()
                .filter(c -> (c instanceof Change.MessageEdited e && e.message().interactionId().map(ref.id()::equals)
                        .orElse(false)) || (c instanceof Change.InteractionAnswered a && a.interactionId().equals(ref.id())
                        && !a.data().path("content").asText().isEmpty()))
                .map(c -> c instanceof Change.MessageEdited e ? e.message().content()
                        : ((Change.InteractionAnswered) c).data().path("content").asText())
                .blockFirst(BotWorld.WAIT);
    }

    private void awaitState(String thread, String state) {
        Flux.interval(Duration.ofMillis(50)).filter(t -> world.app.sessions().get(thread).orElseThrow().state().name()
                .equals(state)).blockFirst(BotWorld.WAIT);
        assertThat(world.app.sessions().get(thread).orElseThrow().state().name()).isEqualTo(state);
    }

    @Test
    void anAdminStopsSomeoneElsesSessionInItsThreadAndTheThreadSaysWho() {
        String owners = session(FakeUser.OWNER, "the owner's session");
        String friends = session(FakeUser.FRIEND, "the friend's session");

        assertThat(answer(world.discord.slashCommand(FakeUser.OWNER, friends, "stop", Map.of())))
                .isEqualTo("Only the session's owner can do this.");
        awaitState(friends, "IDLE");

        InteractionRef stop = world.discord.slashCommand(FakeUser.FRIEND, owners, "stop", Map.of());
        assertThat(answer(stop)).startsWith("Stopped <#" + owners + ">");
        PostedMessage said = world.botMessage(m -> m.channelId().equals(owners) && m.content().startsWith("🛡️"));
        assertThat(said.content()).contains("stopped by the admin <@" + FakeUser.FRIEND.id() + ">")
                .doesNotContain("stop-all");
        world.botMessage(m -> m.channelId().equals(owners) && m.content().startsWith("⏹️ Session stopped"));
        awaitState(owners, "STOPPED");
    }

    @Test
    void anAdminStopsEverySessionWithStopAllAfterConfirming() {
        String owners = session(FakeUser.OWNER, "the owner's session");
        String friends = session(FakeUser.FRIEND, "the friend's session");

        assertThat(answer(world.discord.slashCommand(FakeUser.OWNER, world.main(), "stopall", Map.of())))
                .isEqualTo("Only the bot's admins can do this.");

        InteractionRef stopAll = world.discord.slashCommand(FakeUser.FRIEND, world.main(), "stopall", Map.of());
        assertThat(answer(stopAll)).startsWith("🛑 Stop all 2 active session(s)?");
        PostedMessage confirm = world.botMessage(m -> m.interactionId().map(stopAll.id()::equals).orElse(false));
        assertThat(confirm.customIds()).hasSize(2);
        assertThat(world.app.sessions().get(owners).orElseThrow().state().name()).isEqualTo("IDLE");

        world.discord.clickButton(FakeUser.FRIEND, confirm.id(), confirm.customIds().get(0));

        assertThat(world.awaitState(confirm.id(), m -> m.content().startsWith("🛑 Stopped")).content())
                .isEqualTo("🛑 Stopped 2 session(s).");
        for (String thread : new String[] {owners, friends}) {
            PostedMessage said = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("🛡️"));
            assertThat(said.content()).contains("<@" + FakeUser.FRIEND.id() + ">", "(stop-all)");
            awaitState(thread, "STOPPED");
        }
    }
}
