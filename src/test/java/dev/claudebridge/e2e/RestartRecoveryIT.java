package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bot killed with SIGKILL during a turn and started again (docs/architecture.md §3.4, §3.5): its orphan CLI is
 * stopped (and an unrelated process is not), the interrupted turn is reported, queued prompts are answered in
 * order with the conversation resumed, and the next message goes on in the same conversation.
 */
@Timeout(300)
final class RestartRecoveryIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private FakeDiscord discord;

    private PostedMessage await(Predicate<PostedMessage> matches) {
        return discord.changes()
                .filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                .map(c -> c instanceof Change.MessageCreated mc ? mc.message() : ((Change.MessageEdited) c).message())
                .filter(m -> m.byBot() && matches.test(m))
                .blockFirst(WAIT);
    }

    /** The gateway's READY of the bot's {@code readyCount}-th login (events after it are kept until it serves). */
    private void awaitLogin(int readyCount) {
        discord.changes().ofType(Change.GatewayReady.class).skip(readyCount - 1L).blockFirst(WAIT);
    }

    @Test
    void aBotKilledMidTurnComesBackWithEverything() throws Exception {
        discord = FakeDiscord.start();
        try (FakeAnthropicApi api = FakeAnthropicApi.start()) {
            api.on(Match.userTextContains("What was"), Reply.text("It was MANGO-9."))
                    .on(Match.userTextContains("codeword"), Reply.text("Noted the codeword."))
                    .on(Match.userTextContains("slow story"), Reply.text("word ".repeat(500)).tokensPerSecond(3))
                    .on(Match.userTextContains("item-A"), Reply.text("Answer A."))
                    .on(Match.userTextContains("item-B"), Reply.text("Answer B."));
            Map<String, String> env = BotWorld.environment(root, discord, api, Map.of());
            Path log = root.resolve("bot.log");
            Process unrelated = new ProcessBuilder("sleep", "300").start();
            try (BotProcess first = BotProcess.start(env, log)) {
                awaitLogin(1);
                discord.userMessage(FakeUser.OWNER, discord.ids().mainChannelId(), "remember the codeword MANGO-9");
                String thread = discord.next(Change.ThreadCreated.class, t -> true, WAIT).block().thread().id();
                await(m -> m.channelId().equals(thread) && m.content().startsWith("Noted") && m.content().contains("⏱"));

                discord.userMessage(FakeUser.OWNER, thread, "tell a slow story");
                await(m -> m.channelId().equals(thread) && m.content().startsWith("word"));
                List<String> queued = List.of(discord.userMessage(FakeUser.OWNER, thread, "queued item-A"),
                        discord.userMessage(FakeUser.OWNER, thread, "queued item-B"));
                for (String id : queued) {
                    discord.next(Change.ReactionAdded.class, r -> r.messageId().equals(id), WAIT).block();
                }
                List<ProcessHandle> clis = first.clis();
                assertThat(clis).hasSize(1);
                ProcessHandle orphan = clis.get(0);

                first.kill9();
                assertThat(orphan.isAlive()).as("the CLI outlives the killed bot").isTrue();

                try (BotProcess second = BotProcess.start(env, log)) {
                    assertThat(orphan.onExit()).as("the restarted bot stops the orphan").succeedsWithin(WAIT);
                    assertThat(unrelated.isAlive()).as("an unrelated process is left alone").isTrue();
                    awaitLogin(2);

                    PostedMessage notice = await(m -> m.channelId().equals(thread)
                            && m.content().contains("Interrupted by a restart"));
                    assertThat(notice).isNotNull();
                    await(m -> m.channelId().equals(thread) && m.content().startsWith("Answer B.")
                            && m.content().contains("⏱"));
                    List<String> answers = discord.messages(thread).stream().filter(PostedMessage::byBot)
                            .map(m -> discord.message(m.id()).content())
                            .filter(c -> c.startsWith("Answer "))
                            .map(c -> c.substring(0, 9)).toList();
                    assertThat(answers).containsExactly("Answer A.", "Answer B.");
                    RecordedRequest resumed = api.requests().stream()
                            .filter(r -> r.userText().contains("item-A")).findFirst().orElseThrow();
                    assertThat(resumed.body().path("messages").toString()).contains("MANGO-9", "Noted the codeword.");

                    discord.userMessage(FakeUser.OWNER, thread, "What was the codeword?");
                    await(m -> m.channelId().equals(thread) && m.content().startsWith("It was MANGO-9.")
                            && m.content().contains("⏱"));
                    assertThat(second.clis()).hasSize(1);
                }
            } finally {
                unrelated.destroyForcibly();
                unrelated.waitFor(10, TimeUnit.SECONDS);
                if (Files.exists(log)) {
                    System.out.println(Files.readString(log));
                }
            }
        } finally {
            discord.close();
        }
    }

}
