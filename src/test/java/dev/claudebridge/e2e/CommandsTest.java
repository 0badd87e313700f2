package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.InteractionRef;
import dev.claudebridge.testkit.discord.PostedMessage;
import dev.claudebridge.testkit.discord.ThreadView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The slash commands: /new, /sessions, /stop, /continue, /help, and the dead-CLI buttons. */
@Timeout(180)
final class CommandsTest {

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

    private Change.InteractionAnswered firstCallback(InteractionRef ref) {
        return world.discord.next(Change.InteractionAnswered.class, a -> a.interactionId().equals(ref.id()),
                BotWorld.WAIT).block();
}

    /** The reply text of an interaction once its deferred reply was edited (or its direct reply). */
    private String replyText(InteractionRef ref, String contains) {
        return world.discord.changes()
                .filter(c -> (c instanceof Change.MessageEdited e && e.message().interactionId().map(ref.id()::equals)
                        .orElse(false)) || (c instanceof Change.InteractionAnswered a && a.interactionId().equals(ref.id())))
                .map(c -> c instanceof Change.MessageEdited e ? e.message().content()
                        : ((Change.InteractionAnswered) c).data().path("content").asText())
                .filter(t -> t.contains(contains))
                .blockFirst(BotWorld.WAIT);
}

    @Test
    void newWithAPromptAndADirectoryStartsAThreadThere() throws Exception {
        Files.createDirectories(world.workspace.resolve("project"));
        world.api.on(Match.userTextContains("fix the build"), Reply.text("Looking at the build now."));

        InteractionRef ref = world.discord.slashCommand(FakeUser.OWNER, world.main(), "new",
                Map.of("prompt", "fix the build", "directory", "project"));

        assertThat(firstCallback(ref).callbackType()).isEqualTo(5);
        ThreadView thread = world.discord.next(Change.ThreadCreated.class, t -> true, BotWorld.WAIT).block().thread();
        assertThat(thread.name()).isEqualTo("fix the build");
        assertThat(thread.parentId()).isEqualTo(world.main());
        assertThat(replyText(ref, "Session started")).contains("<#" + thread.id() + ">");
        PostedMessage header = world.botMessage(m -> m.channelId().equals(thread.id()) && m.content().startsWith("🧵"));
        assertThat(header.content()).contains(world.workspace.resolve("project").toRealPath().toString());
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread.id()) && m.content().startsWith("⏳"));
        assertThat(world.awaitState(reply.id(), m -> m.content().contains("⏱")).content())
                .startsWith("Looking at the build now.");
}

    @Test
    void aDirectoryOutsideTheWorkspaceIsRefusedEphemerally() {
        InteractionRef ref = world.discord.slashCommand(FakeUser.OWNER, world.main(), "new",
                Map.of("directory", "../../etc"));
        PostedMessage refusal = world.botMessage(m -> m.content().contains("under the workspace root"));
        assertThat(refusal.ephemeral()).isTrue();
        assertThat(world.discord.threads()).isEmpty();
        assertThat(ref).isNotNull();
}

    @Test
    void newWithAnActiveSessionAsksFirstAndStopUsesAPickerForSeveral() {
        world.api.on(Match.any(), Reply.text("Ok."));
        InteractionRef first = world.discord.slashCommand(FakeUser.OWNER, world.main(), "new", Map.of());
        replyText(first, "Session started");

        InteractionRef second = world.discord.slashCommand(FakeUser.OWNER, world.main(), "new",
                Map.of("prompt", "another one"));
        Change.InteractionAnswered deferred = firstCallback(second);
        assertThat(deferred.data().path("flags").asInt() & 64).isEqualTo(64);
        PostedMessage ask = world.discord.changes().filter(c -> c instanceof Change.MessageEdited e
                        && e.message().interactionId().map(second.id()::equals).orElse(false))
                .map(c -> ((Change.MessageEdited) c).message()).blockFirst(BotWorld.WAIT);
        assertThat(ask.content()).contains("Start another?");
        world.discord.clickButton(FakeUser.OWNER, ask.id(), ask.customIds().get(0));
        replyText(second, "Session started");
        assertThat(world.discord.threads()).hasSize(2);

        InteractionRef stop = world.discord.slashCommand(FakeUser.OWNER, world.main(), "stop", Map.of());
        Change.InteractionAnswered picker = firstCallback(stop);
        JsonNode select = picker.data().path("components").path(0).path("components").path(0);
        assertThat(select.path("type").asInt()).isEqualTo(3);
        assertThat(select.path("options").size()).isEqualTo(2);
        String victim = select.path("options").path(0).path("value").asText();
        PostedMessage pickerMessage = world.botMessage(m -> m.interactionId().map(stop.id()::equals).orElse(false));
        world.discord.chooseSelect(FakeUser.OWNER, pickerMessage.id(), select.path("custom_id").asText(),
                List.of(victim));

        PostedMessage stopped = world.botMessage(m -> m.channelId().equals(victim) && m.content().contains("stopped"));
        assertThat(stopped.content()).contains("Session stopped");
        assertThat(world.app.sessions().get(victim).orElseThrow().state().name()).isEqualTo("STOPPED");
}

    @Test
    void sessionsListsThemNumberedAndStopTakesANumberOrTheThreadItIsIn() {
        world.api.on(Match.any(), Reply.text("Ok."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "first task");
        String first = world.awaitThread();
        world.awaitContent(first, c -> c.contains("⏱"));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "second task");
        String second = world.discord.next(Change.ThreadCreated.class, t -> !t.thread().id().equals(first),
                BotWorld.WAIT).block().thread().id();
        world.awaitContent(second, c -> c.contains("⏱"));

        InteractionRef list = world.discord.slashCommand(FakeUser.OWNER, world.main(), "sessions", Map.of());
        Change.InteractionAnswered answered = firstCallback(list);
        assertThat(answered.data().path("flags").asInt() & 64).as("ephemeral").isEqualTo(64);
        JsonNode fields = answered.data().path("embeds").path(0).path("fields");
        assertThat(fields.size()).isEqualTo(2);
        assertThat(fields.path(0).path("name").asText()).isEqualTo("1. first task");
        assertThat(fields.path(0).path("value").asText()).contains("<#" + first + ">", "1 prompts", "<t:");
        assertThat(fields.path(1).path("name").asText()).isEqualTo("2. second task");

        InteractionRef byNumber = world.discord.slashCommand(FakeUser.OWNER, world.main(), "stop", Map.of("n", "2"));
        assertThat(replyText(byNumber, "Stopped")).contains("<#" + second + ">");
        InteractionRef inThread = world.discord.slashCommand(FakeUser.OWNER, first, "stop", Map.of());
        assertThat(replyText(inThread, "Stopped")).contains("<#" + first + ">");
        assertThat(world.app.sessions().get(first).orElseThrow().state().name()).isEqualTo("STOPPED");
        assertThat(world.app.sessions().get(second).orElseThrow().state().name()).isEqualTo("STOPPED");

        JsonNode after = firstCallback(world.discord.slashCommand(FakeUser.OWNER, world.main(), "sessions", Map.of()))
                .data().path("embeds").path(0).path("fields");
        assertThat(after.path(0).path("value").asText()).startsWith("stopped · last active <t:");
}

    @Test
    void helpListsEveryCommandAndContinueLinksTheLastSession() {
        world.api.on(Match.any(), Reply.text("Ok."));
        InteractionRef help = world.discord.slashCommand(FakeUser.OWNER, world.main(), "help", Map.of());
        String text = firstCallback(help).data().path("content").asText();
        assertThat(text.lines().count()).isEqualTo(13);
        assertThat(text).contains("/new", "/sessions", "/stop", "/continue", "/model", "/mode", "/status",
                "/export", "/download", "/compact", "/clear", "/stopall", "/help");

        world.discord.userMessage(FakeUser.OWNER, world.main(), "start something");
        String thread = world.awaitThread();
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        world.awaitState(reply.id(), m -> m.content().contains("⏱"));

        InteractionRef cont = world.discord.slashCommand(FakeUser.OWNER, world.main(), "continue", Map.of());
        assertThat(replyText(cont, "most recent session")).contains("<#" + thread + ">");
        PostedMessage card = world.botMessage(m -> m.channelId().equals(thread) && !m.embeds().isEmpty()
                && m.embeds().get(0).path("title").asText().equals(Texts.CONTINUE_TITLE));
        assertThat(card.embeds().get(0).path("description").asText()).isEqualTo("start something");
        assertThat(card.embeds().get(0).path("fields").toString()).contains("\"Prompts so far\"", "\"1\"",
                "\"$0.0008\"", "\"State\"", "<t:");
}

    @Test
    void aDeadCliIsSaidInTheThreadAndResumeContinuesTheConversation() throws Exception {
        world.api.on(Match.userTextContains("What was"), Reply.text("It was KIWI-7."))
                .on(Match.userTextContains("codeword"), Reply.text("Noted."));
        world.discord.userMessage(FakeUser.OWNER, world.main(), "remember the codeword KIWI-7");
        String thread = world.awaitThread();
        PostedMessage reply = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("⏳"));
        world.awaitState(reply.id(), m -> m.content().contains("⏱"));
        // The CLI flushes its transcript every 100 ms: wait until the answer is on disk, then kill it from outside.
        Path projects = world.config.claudeConfigDir().resolve("projects");
        reactor.core.publisher.Flux.interval(java.time.Duration.ofMillis(100))
                .filter(tick -> transcriptHas(projects, "Noted."))
                .blockFirst(BotWorld.WAIT);
        ProcessHandle cli = ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.contains("claude")).orElse(false))
                .findFirst().orElseThrow();
        cli.destroyForcibly();

        PostedMessage dead = world.botMessage(m -> m.channelId().equals(thread) && m.content().startsWith("💥"));
        assertThat(dead.content()).contains("exited with status");
        assertThat(dead.customIds()).hasSize(3);

        world.discord.clickButton(FakeUser.OWNER, dead.id(), dead.customIds().get(0));
        world.botMessage(m -> m.channelId().equals(thread) && m.content().equals("Resumed."));
        world.discord.userMessage(FakeUser.OWNER, thread, "What was the codeword?");
        PostedMessage answer = world.awaitContent(thread, c -> c.contains("It was KIWI-7.") && c.contains("⏱"));
        assertThat(answer).isNotNull();
        assertThat(world.api.requests().getLast().body().path("messages").toString()).contains("KIWI-7", "Noted.");
}

    private static boolean transcriptHas(Path projects, String text) {
        try (var files = Files.walk(projects)) {
            return files.filter(f -> f.toString().endsWith(".jsonl")).anyMatch(f -> {
                try {
                    return Files.readString(f).contains(text);
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }
}
