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

    /** The /sessions reply of an interaction: its message (with the embed and the picker). */
    private PostedMessage sessionsReply(FakeUser user) {
        InteractionRef ref = world.discord.slashCommand(user, world.main(), "sessions", Map.of());
        return world.botMessage(m -> m.interactionId().map(ref.id()::equals).orElse(false)
                && !m.embeds().isEmpty());
    }

    private long resumedEmbeds(String thread) {
        return world.botMessages(thread).stream().filter(m -> !m.embeds().isEmpty()
                && m.embeds().get(0).path("title").asText().equals("🔄 Session resumed")).count();
    }

    /** Picks the thread in the list: the thread gets its {@code n}-th resumed status, the session is idle. */
    private void pick(FakeUser user, PostedMessage list, String thread, long n) {
        world.discord.chooseSelect(user, list.id(), list.customIds().get(0), java.util.List.of(thread));
        assertThat(world.awaitState(list.id(), m -> m.content().startsWith("▶️")).content())
                .isEqualTo("▶️ Resumed: <#" + thread + ">");
        Flux.interval(Duration.ofMillis(50)).filter(t -> resumedEmbeds(thread) == n).blockFirst(BotWorld.WAIT);
        assertThat(resumedEmbeds(thread)).isEqualTo(n);
        awaitState(thread, "IDLE");
    }

    /**
     * /sessions lists the caller's sessions (an admin's: everyone's, the owner named) and its picker resumes a
     * stopped one; the admin's resume of someone else's session is said in its thread.
     */
    @Test
    void sessionsListsAndItsPickerResumesAsAUserAndAsAnAdmin() {
        String owners = session(FakeUser.OWNER, "the owner's session");
        world.discord.slashCommand(FakeUser.OWNER, owners, "stop", Map.of());
        awaitState(owners, "STOPPED");

        PostedMessage mine = sessionsReply(FakeUser.OWNER);
        assertThat(mine.ephemeral()).isTrue();
        assertThat(mine.embeds().get(0).path("title").asText()).isEqualTo("Your sessions");
        assertThat(mine.embeds().get(0).path("fields").path(0).path("value").asText())
                .startsWith("stopped · last active <t:").contains("1 prompts", "$", "<#" + owners + ">");
        pick(FakeUser.OWNER, mine, owners, 1);

        String friends = session(FakeUser.FRIEND, "the friend's session");
        world.discord.slashCommand(FakeUser.OWNER, owners, "stop", Map.of());
        awaitState(owners, "STOPPED");
        PostedMessage everyone = sessionsReply(FakeUser.FRIEND);
        assertThat(everyone.embeds().get(0).path("title").asText()).isEqualTo("Sessions: yours first, then everyone's");
        com.fasterxml.jackson.databind.JsonNode fields = everyone.embeds().get(0).path("fields");
        assertThat(fields.path(0).path("name").asText()).isEqualTo("1. the friend's session");
        assertThat(fields.path(1).path("name").asText()).isEqualTo("the owner's session");
        assertThat(fields.path(1).path("value").asText()).startsWith("👤 <@" + FakeUser.OWNER.id() + "> · stopped");
        assertThat(everyone.components().toString()).contains(owners, friends);

        pick(FakeUser.FRIEND, everyone, owners, 2);
        assertThat(world.botMessage(m -> m.channelId().equals(owners) && m.content().startsWith("🛡️")).content())
                .contains("resumed by the admin <@" + FakeUser.FRIEND.id() + ">");
    }
}
