package dev.claudebridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.BotEnvironment;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeMattermost;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.mattermost.MmPost;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RestartRecoveryIT} on Mattermost: the packaged bot, serving Mattermost only, killed with SIGKILL while a
 * reply streams in a session thread, with two prompts queued behind it. The restarted bot stops the orphan CLI,
 * says in the thread that the turn was interrupted, answers the queued prompts in order in the resumed
 * conversation, and takes the next reply in the same thread as a prompt to the same session.
 */
@Timeout(300)
final class MattermostRestartIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aBotKilledMidTurnComesBackWithTheMattermostSession() throws Exception {
        try (FakeMattermost mm = FakeMattermost.start(); FakeAnthropicApi api = FakeAnthropicApi.start()) {
            api.on(Match.userTextContains("What was"), Reply.text("It was KIWI-4."))
                    .on(Match.userTextContains("codeword"), Reply.text("Noted the codeword."))
                    .on(Match.userTextContains("slow story"), Reply.text("word ".repeat(500)).tokensPerSecond(3))
                    .on(Match.userTextContains("item-A"), Reply.text("Answer A."))
                    .on(Match.userTextContains("item-B"), Reply.text("Answer B."));
            int port = freePort();
            Map<String, String> env = new HashMap<>(BotEnvironment.mattermost(root, mm, api, Map.of()));
            env.put("OPS_PORT", String.valueOf(port));
            OpsHttp ops = new OpsHttp(port);
            Path log = root.resolve("bot.log");
            Predicate<MmPost> byBot = p -> p.userId().equals(mm.bot().id()) && !p.deleted();
            String dm = mm.directChannel(mm.owner(), mm.bot()).id();
            try (BotProcess first = BotProcess.start(env, log)) {
                ops.await("/readyz", a -> a.status() == 200, WAIT);
                mm.post(mm.owner(), dm, "!new remember the codeword KIWI-4");
                String thread = mm.awaitPost(byBot.and(p -> p.channelId().equals(dm) && p.rootId().isEmpty()
                        && p.message().contains("KIWI-4")), WAIT).id();
                mm.awaitPost(byBot.and(p -> p.rootId().equals(thread) && p.message().startsWith("Noted")
                        && p.message().contains("⏱")), WAIT);

                mm.reply(mm.owner(), thread, "tell a slow story");
                mm.awaitPost(byBot.and(p -> p.rootId().equals(thread) && p.message().startsWith("word")), WAIT);
                List<String> queued = List.of(mm.reply(mm.owner(), thread, "queued item-A"),
                        mm.reply(mm.owner(), thread, "queued item-B"));
                for (String id : queued) {
                    mm.awaitPost(p -> p.id().equals(id)
                            && p.reactions().getOrDefault("hourglass_flowing_sand", Set.of()).contains(mm.bot().id()),
                            WAIT);
                }
                List<ProcessHandle> clis = first.clis();
                assertThat(clis).hasSize(1);
                ProcessHandle orphan = clis.get(0);

                first.kill9();
                assertThat(orphan.isAlive()).as("the CLI outlives the killed bot").isTrue();

                try (BotProcess second = BotProcess.start(env, log)) {
                    assertThat(orphan.onExit()).as("the restarted bot stops the orphan").succeedsWithin(WAIT);
                    ops.await("/readyz", a -> a.status() == 200, WAIT);

                    mm.awaitPost(byBot.and(p -> p.rootId().equals(thread)
                            && p.message().contains("Interrupted by a restart")), WAIT);
                    mm.awaitPost(byBot.and(p -> p.rootId().equals(thread) && p.message().startsWith("Answer B.")
                            && p.message().contains("⏱")), WAIT);
                    List<String> answers = mm.posts(dm).stream().filter(byBot)
                            .filter(p -> p.rootId().equals(thread) && p.message().startsWith("Answer "))
                            .map(p -> p.message().substring(0, 9)).toList();
                    assertThat(answers).containsExactly("Answer A.", "Answer B.");
                    RecordedRequest resumed = api.requests().stream()
                            .filter(r -> r.userText().contains("item-A")).findFirst().orElseThrow();
                    assertThat(resumed.body().path("messages").toString()).contains("KIWI-4", "Noted the codeword.");

                    mm.reply(mm.owner(), thread, "What was the codeword?");
                    mm.awaitPost(byBot.and(p -> p.rootId().equals(thread) && p.message().startsWith("It was KIWI-4.")
                            && p.message().contains("⏱")), WAIT);
                    assertThat(second.clis()).hasSize(1);
                }
            } finally {
                if (Files.exists(log)) {
                    System.out.println(Files.readString(log));
                }
            }
        }
    }
}
