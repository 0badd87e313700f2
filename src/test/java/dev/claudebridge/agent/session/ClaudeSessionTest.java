package dev.claudebridge.agent.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.agent.process.CliProcess;
import dev.claudebridge.agent.process.ExitStatus;
import dev.claudebridge.agent.protocol.CliEvent;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.RecordedRequest;
import dev.claudebridge.testkit.Reply;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The session API against the real (pinned) CLI and the scripted fake Messages API. BlockHound is on. */
@Timeout(120)
final class ClaudeSessionTest {

    private static final Duration TURN = CliFixture.TURN;
    private static final Duration STOP = Duration.ofSeconds(2);

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
        try {
            if (session != null) {
                session.stop(STOP, STOP, STOP).block(Duration.ofSeconds(30));
            }
            assertThat(api.unmatchedPaths()).isEmpty();
        } finally {
            api.close();
            cli.close();
        }
    }

    private ClaudeSession open() {
        session = cli.launcher.start(cli.command()).block(TURN);
        return session;
    }

    @Test
    void aStreamedTextTurnArrivesAsDeltasAndEndsAtItsResult() {
        String answer = "Hello there, this is a streamed answer with several words in it.";
        api.on(Match.userTextContains("say hello"), Reply.text(answer));
        ClaudeSession s = open();
        List<CliEvent> seen = new CopyOnWriteArrayList<>();
        s.events().subscribe(seen::add);
        StepVerifier.create(s.initialize()).assertNext(r -> assertThat(r.path("pid").asInt()).isPositive())
                .verifyComplete();

        TurnResult turn = s.send("Please say hello").block(TURN);

        assertThat(turn.failed()).isFalse();
        assertThat(turn.result().result()).contains(answer);
        assertThat(turn.costUsd()).isEqualByComparingTo(Reply.DEFAULT_TURN_COST_USD);
        String streamed = seen.stream().filter(e -> e instanceof CliEvent.TextDelta)
                .map(e -> ((CliEvent.TextDelta) e).text()).collect(Collectors.joining());
        assertThat(streamed).isEqualTo(answer);
        assertThat(seen.stream().filter(e -> e instanceof CliEvent.TextDelta).count()).isGreaterThan(5);
        assertThat(s.sessionId()).isPresent();
    }

    @Test
    void threeTurnsInOneProcessCostTheDifferencesOfTheCumulativeTotal() {
        api.on(Match.userTextContains("one"), Reply.text("First answer.").usage(100, 20))
                .on(Match.userTextContains("two"), Reply.text("Second answer, longer.").usage(150, 80))
                .on(Match.userTextContains("three"), Reply.text("Third.").usage(100, 20));
        ClaudeSession s = open();
        // Subscribed before the first turn; awaited below, because a turn's Mono may complete before this other
        // subscriber of the hot stream has been handed the same result.
        Mono<List<CliEvent.Result>> results = s.events().ofType(CliEvent.Result.class).take(3).collectList().cache();
        results.subscribe();

        List<TurnResult> turns = List.of(s.send("turn one").block(TURN), s.send("turn two").block(TURN),
                s.send("turn three").block(TURN));

        // The oracle is the CLI's own cumulative total_cost_usd, read from the raw results.
        BigDecimal previous = BigDecimal.ZERO;
        for (int i = 0; i < 3; i++) {
            BigDecimal total = turns.get(i).result().totalCostUsd();
            assertThat(turns.get(i).costUsd()).isEqualByComparingTo(total.subtract(previous));
            previous = total;
        }
        assertThat(turns.get(1).costUsd()).isGreaterThan(turns.get(0).costUsd());
        assertThat(turns.get(0).tokensIn()).isEqualTo(100);
        assertThat(turns.get(1).tokensIn()).isEqualTo(150);
        assertThat(turns.get(1).tokensOut()).isEqualTo(80);
        assertThat(turns.stream().map(t -> t.result()).toList()).isEqualTo(results.block(TURN));
    }

    @Test
    void aToolAllowedRunsAndTheModelGetsItsOutput() throws Exception {
        api.on(Match.userTextContains("make a file"), Reply.blocks(Block.text("Creating it."),
                        Block.toolUse("Bash", Map.of("command", "echo tool-ran > made.txt && cat made.txt",
                                "description", "Make a file"))))
                .on(Match.toolResultContains("Bash", "tool-ran"), Reply.text("Done, the file exists."));
        ClaudeSession s = open();
        s.permissionRequests().subscribe(p -> p.allow().subscribe());

        TurnResult turn = s.send("Please make a file").block(TURN);

        assertThat(turn.failed()).isFalse();
        assertThat(turn.result().result()).contains("Done, the file exists.");
        assertThat(Files.readString(cli.workDir.resolve("made.txt")).strip()).isEqualTo("tool-ran");
    }

    @Test
    void aToolDeniedCarriesTheDenyMessageToTheModel() {
        api.on(Match.userTextContains("delete"), Reply.blocks(
                        Block.toolUse("Bash", Map.of("command", "rm -rf important", "description", "Delete"))))
                .on(Match.toolResultContains("Bash", "Not today"), Reply.text("Understood, I will not."));
        ClaudeSession s = open();
        List<PermissionRequest.Outcome> outcomes = new CopyOnWriteArrayList<>();
        s.permissionRequests().subscribe(p -> p.deny("Not today, said the owner.")
                .then(p.outcome()).subscribe(outcomes::add));

        TurnResult turn = s.send("Please delete everything").block(TURN);

        assertThat(turn.result().result()).contains("Understood, I will not.");
        assertThat(turn.result().permissionDenials()).isEqualTo(1);
        assertThat(outcomes).containsExactly(PermissionRequest.Outcome.DENIED);
        RecordedRequest followUp = api.requests().getLast();
        assertThat(followUp.body().toString()).contains("Not today, said the owner.");
    }

    @Test
    void allowForTheSessionRunsTheSameCommandAgainWithoutAsking() {
        api.on(Match.userTextContains("first"), Reply.blocks(
                        Block.toolUse("Bash", Map.of("command", "touch a.txt", "description", "Touch a"))))
                .on(Match.userTextContains("second"), Reply.blocks(
                        Block.toolUse("Bash", Map.of("command", "touch b.txt", "description", "Touch b"))))
                .on(Match.toolResultFor("Bash"), Reply.text("Touched."));
        ClaudeSession s = open();
        List<PermissionRequest> asked = new CopyOnWriteArrayList<>();
        s.permissionRequests().subscribe(p -> {
            asked.add(p);
            p.allowForSession().subscribe();
        });

        s.send("first touch").block(TURN);
        s.send("second touch").block(TURN);

        assertThat(asked).hasSize(1);
        assertThat(Files.exists(cli.workDir.resolve("a.txt"))).isTrue();
        assertThat(Files.exists(cli.workDir.resolve("b.txt"))).isTrue();
    }

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

    /**
     * What a Bash prefix rule {@code Bash(<word>:*)} added for the session really allows: once {@code touch:*} is
     * allowed, a command that starts with {@code touch} and goes on with another program is still asked about. The
     * bot offers "Allow for this session" for Bash on the strength of this test ({@code SessionRules}).
     */
    @Test
    void aPrefixRuleForTheFirstWordDoesNotLetAnotherCommandRunUnasked() throws Exception {
        api.on(Match.userTextContains("first"), Reply.blocks(
                Block.toolUse("Bash", Map.of("command", "touch a.txt", "description", "Touch a"))));
        for (int i = 0; i < SMUGGLED.size(); i++) {
            api.on(Match.userTextContains("variant " + i + "."), Reply.blocks(
                    Block.toolUse("Bash", Map.of("command", SMUGGLED.get(i), "description", "Touch more"))));
        }
        api.on(Match.toolResultFor("Bash"), Reply.text("Done."));
        ClaudeSession session = open();
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

    @Test
    void aPermissionIsAnsweredExactlyOnce() {
        api.on(Match.userTextContains("touch"), Reply.blocks(
                        Block.toolUse("Bash", Map.of("command", "touch once.txt", "description", "Touch"))))
                .on(Match.toolResultFor("Bash"), Reply.text("Touched."));
        ClaudeSession s = open();
        Mono<PermissionRequest> first = s.permissionRequests().next().cache();
        first.subscribe();
        Mono<TurnResult> turn = s.send("please touch").cache();
        turn.subscribe();

        PermissionRequest p = first.block(TURN);
        StepVerifier.create(p.allow()).verifyComplete();
        StepVerifier.create(p.deny("too late")).expectError(IllegalStateException.class).verify(TURN);
        assertThat(turn.block(TURN).failed()).isFalse();
    }

    @Test
    void anInterruptMidStreamEndsTheTurnAndTheProcessStaysUsable() {
        api.on(Match.userTextContains("long story"),
                        Reply.text("word ".repeat(200)).tokensPerSecond(20))
                .on(Match.userTextContains("after"), Reply.text("Still here."));
        ClaudeSession s = open();
        Mono<TurnResult> turn = s.send("tell a long story").cache();
        turn.subscribe();
        s.events().ofType(CliEvent.TextDelta.class).skip(3).next().block(TURN);

        s.interrupt().block(TURN);
        TurnResult interrupted = turn.block(TURN);

        assertThat(interrupted.result().isError()).isTrue();
        assertThat(interrupted.result().terminalReason()).contains("aborted_streaming");
        // 2.1.197 reported $0 for a turn interrupted mid-stream; 2.1.332 prices the part that was streamed
        // (docs/cli-protocol.md): more than nothing, less than the whole answer.
        assertThat(interrupted.costUsd()).isPositive().isLessThan(Reply.DEFAULT_TURN_COST_USD);
        TurnResult next = s.send("and after that?").block(TURN);
        assertThat(next.failed()).isFalse();
        assertThat(next.result().result()).contains("Still here.");
    }

    @Test
    void anInterruptWhilePermissionIsPendingSurfacesTheCancel() {
        api.on(Match.userTextContains("risky"), Reply.blocks(
                Block.toolUse("Bash", Map.of("command", "touch risky.txt", "description", "Risky"))));
        ClaudeSession s = open();
        Mono<TurnResult> turn = s.send("do something risky").cache();
        turn.subscribe();
        Mono<CliEvent.ControlCancel> cancel = s.events().ofType(CliEvent.ControlCancel.class).next().cache();
        cancel.subscribe();
        PermissionRequest pending = s.permissionRequests().next().block(TURN);

        s.interrupt().block(TURN);

        assertThat(cancel.block(TURN).requestId()).isEqualTo(pending.request().requestId());
        assertThat(pending.outcome().block(TURN)).isEqualTo(PermissionRequest.Outcome.WITHDRAWN_BY_CLI);
        assertThat(turn.block(TURN).result().terminalReason()).contains("aborted_tools");
        assertThat(Files.exists(cli.workDir.resolve("risky.txt"))).isFalse();
    }

    @Test
    void anApiErrorIsAFailedTurnAndTheProcessStaysAlive() {
        // The CLI merges the next prompt into the failed one (PROTOCOL.md §6), so "again" must be tried first.
        api.on(Match.userTextContains("again"), Reply.text("Recovered."))
                .on(Match.userTextContains("break"), Reply.error(500));
        ClaudeSession s = open();

        TurnResult failed = s.send("break it").block(TURN);

        assertThat(failed.failed()).isTrue();
        assertThat(failed.result().apiErrorStatus()).contains(500);
        assertThat(failed.result().errorText()).contains("500");
        assertThat(s.process().exit().toFuture()).isNotDone();
        TurnResult next = s.send("try again").block(TURN);
        assertThat(next.failed()).isFalse();
    }

    @Test
    void aKilledCliSurfacesItsExitStatusAndNoSubscriberHangs() {
        api.on(Match.userTextContains("slow"), Reply.text("word ".repeat(300)).tokensPerSecond(10));
        ClaudeSession s = open();
        Mono<TurnResult> turn = s.send("be slow").cache();
        turn.subscribe(t -> { }, e -> { });
        Mono<Void> eventsEnd = s.events().then().cache();
        eventsEnd.subscribe();
        s.events().ofType(CliEvent.TextDelta.class).next().block(TURN);

        ProcessHandle.of(((CliProcess) s.process()).pid()).orElseThrow().destroyForcibly(); // SIGKILL from outside

        StepVerifier.create(turn).expectErrorSatisfies(e -> {
            assertThat(e).isInstanceOf(CliExitedException.class);
            ExitStatus status = ((CliExitedException) e).status();
            assertThat(status.sentByUs()).isEmpty();
            assertThat(status.success()).isFalse();
        }).verify(Duration.ofSeconds(10));
        StepVerifier.create(eventsEnd).verifyComplete();
        StepVerifier.create(s.exit()).assertNext(x -> assertThat(x.value()).isNotZero()).verifyComplete();
        session = null;
    }

    @Test
    void resumeInANewProcessCarriesTheEarlierTurns() {
        // First match wins, so the more specific rule comes first.
        api.on(Match.userTextContains("What was"), Reply.text("It was BANANA-42."))
                .on(Match.userTextContains("codeword"), Reply.text("Noted: BANANA-42."));
        ClaudeSession first = open();
        first.send("Remember the codeword BANANA-42").block(TURN);
        String id = first.sessionId().orElseThrow();
        ExitStatus closed = first.stop(STOP, Duration.ofSeconds(20), STOP).block(Duration.ofSeconds(40));
        assertThat(closed.value()).isZero();

        session = cli.launcher.start(cli.command().withResume(id)).block(TURN);
        TurnResult turn = session.send("What was the codeword?").block(TURN);

        assertThat(turn.result().result()).contains("It was BANANA-42.");
        assertThat(turn.result().sessionId()).isEqualTo(id);
        assertThat(api.requests().getLast().body().path("messages").toString()).contains("BANANA-42", "Noted");
        assertThat(turn.costUsd()).isEqualByComparingTo(turn.result().totalCostUsd()); // a new process starts at 0
    }

    @Test
    void resumeOfAnUnknownIdFailsClearlyWithoutHanging() {
        session = cli.launcher.start(cli.command().withResume("6f0f7c9e-0000-4000-8000-000000000000")).block(TURN);

        StepVerifier.create(session.initialize())
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("No conversation found"))
                .verify(TURN);
        StepVerifier.create(session.exit()).assertNext(x -> assertThat(x.value()).isEqualTo(1)).verifyComplete();
        StepVerifier.create(session.send("hello?")).expectError().verify(TURN);
        session = null;
    }

    @Test
    void closingStdinEndsTheCliCleanly() {
        api.on(Match.userTextContains("hi"), Reply.text("Hi."));
        ClaudeSession s = open();
        s.send("hi").block(TURN);

        s.process().closeStdin();

        StepVerifier.create(s.exit()).assertNext(x -> assertThat(x.success()).isTrue()).verifyComplete();
        session = null;
    }

    @Test
    void theCliNeverSeesTheBotsSecrets() {
        assertThat(cli.environment()).doesNotContainKey("DISCORD_TOKEN")
                .containsKeys("PATH", "HOME", "ANTHROPIC_API_KEY", "CLAUDE_CONFIG_DIR", "CLAUDE_CODE_TMPDIR",
                        "CLAUDE_CODE_MAX_RETRIES");
    }

}
