package dev.claudebridge.agent.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Bash prefix rule {@code Bash(<word>:*)} added for the session really allows, asked of the real pinned CLI:
 * once {@code touch:*} is allowed, a compound command that starts with {@code touch} and goes on with something else
 * must still be asked about. The bot offers "Allow for this session" for Bash on the strength of this test.
 */
@Timeout(180)
final class SessionRuleTest {

    private static final Duration TURN = CliFixture.TURN;
    private static final Duration STOP = Duration.ofSeconds(2);

    /** Commands that start with the allowed word and then run something else (marker: a directory named pwned-N,
     * made by a word the rule does not name). */
    private static final List<String> SMUGGLED = List.of(
            "touch b1 && mkdir pwned-1",
            "touch b2; mkdir pwned-2",
            "touch b3 || mkdir pwned-3",
            "touch b4 | sh -c 'mkdir pwned-4'",
            "touch b5 $(mkdir pwned-5)",
            "touch b6 `mkdir pwned-6`",
            "touch b7\nmkdir pwned-7",
            "touch b8 & mkdir pwned-8");

    @TempDir
    Path root;

    private FakeAnthropicApi api;
    private CliFixture cli;
    private ClaudeSession session;

    @BeforeEach
    void start() throws Exception {
        api = FakeAnthropicApi.start();
        cli = new CliFixture(root, api.baseUrl());
    }

    @AfterEach
    void stop() {
        if (session != null) {
            session.stop(STOP, STOP, STOP).block(Duration.ofSeconds(30));
        }
        api.close();
        cli.close();
    }

    @Test
    void aPrefixRuleForTheFirstWordDoesNotLetAnotherCommandRunUnasked() throws Exception {
        api.on(Match.userTextContains("first"), Reply.blocks(
                Block.toolUse("Bash", Map.of("command", "touch a.txt", "description", "Touch a"))));
        for (int i = 0; i < SMUGGLED.size(); i++) {
            api.on(Match.userTextContains("variant " + i + "."), Reply.blocks(
                    Block.toolUse("Bash", Map.of("command", SMUGGLED.get(i), "description", "Touch more"))));
        }
        api.on(Match.toolResultFor("Bash"), Reply.text("Done."));
        session = cli.launcher.start(cli.command()).block(TURN);
        List<String> asked = new CopyOnWriteArrayList<>();
        session.permissionRequests().subscribe(p -> {
            String command = p.request().input().path("command").asText();
            asked.add(command);
            (command.equals("touch a.txt") ? p.allowForSession() : p.deny("not allowed in this test")).subscribe();
        });

        session.send("first touch").block(TURN);
        assertThat(asked).containsExactly("touch a.txt");
        assertThat(cli.workDir.resolve("a.txt")).exists();

        List<String> ranUnasked = new ArrayList<>();
        for (int i = 0; i < SMUGGLED.size(); i++) {
            session.send("variant " + i + ".").block(TURN);
            if (Files.exists(cli.workDir.resolve("pwned-" + (i + 1)))) {
                ranUnasked.add(SMUGGLED.get(i) + (asked.contains(SMUGGLED.get(i)) ? " (asked)" : " (NOT asked)"));
            }
        }
        assertThat(ranUnasked).as("commands smuggled behind an allowed first word").isEmpty();
        assertThat(asked).as("each smuggling variant was asked about").containsAll(SMUGGLED);
    }
}
