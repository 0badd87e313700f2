package dev.claudebridge.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.core.port.ChatPlatform.Button;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.ChatPlatform.OutgoingMessage;
import dev.claudebridge.testkit.FakeMattermost;
import dev.claudebridge.testkit.mattermost.FakeMattermostSettings;
import dev.claudebridge.testkit.mattermost.MmPost;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/** What the contract does not ask but the bot needs on Mattermost, each against FakeMattermost. */
@Timeout(60)
final class MattermostChatTest {

    private static final Duration T = Duration.ofSeconds(20);

    private static MattermostChat chat(FakeMattermost mm, Optional<MattermostChat.Callback> callback, Clock clock) {
        return MattermostChat.connect(HttpClient.create(), mm.url(), mm.bot().token(), callback, clock).block(T);
    }

    @Test
    void limitsComeFromTheServersClientConfig() {
        try (FakeMattermost mm = FakeMattermost.start(FakeMattermostSettings.defaults().withMaxPostSize(5000));
             FakeMattermost limited = FakeMattermost.start(FakeMattermostSettings.defaults()
                     .withPostEditTimeLimit(3600))) {
            MattermostChat chat = chat(mm, Optional.of(new MattermostChat.Callback("http://127.0.0.1:9/actions",
                    "s")), Clock.systemUTC());
            assertThat(chat.pageLimit()).isEqualTo(5000);
            assertThat(chat(mm, Optional.empty(), Clock.systemUTC()).pageLimit())
                    .as("without a callback URL a page keeps room for its reaction legend")
                    .isEqualTo(5000 - MattermostChat.LEGEND_ROOM);
            assertThat(chat.editWindow()).as("no PostEditTimeLimit").isGreaterThan(Duration.ofDays(365));
            assertThat(chat.botId()).isEqualTo(mm.bot().id());
            assertThat(chat(limited, Optional.empty(), Clock.systemUTC()).editWindow())
                    .isEqualTo(Duration.ofMinutes(55));
        }
    }

    @Test
    void aBurstPastTheServersRateLimitIsWaitedOutAndEveryPostArrives() {
        FakeMattermostSettings.RateLimit tight = new FakeMattermostSettings.RateLimit(true, 20, 5, false);
        try (FakeMattermost mm = FakeMattermost.start(FakeMattermostSettings.defaults().withRateLimit(tight))) {
            MattermostChat chat = chat(mm, Optional.empty(), Clock.systemUTC());
            String channel = mm.townSquare().id();

            long start = System.nanoTime();
            List<String> ids = Flux.range(0, 40)
                    .flatMap(i -> chat.post(channel, OutgoingMessage.text("post " + i)))
                    .collectList().block(Duration.ofSeconds(40));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(ids).hasSize(40).doesNotHaveDuplicates();
            assertThat(mm.posts(channel)).hasSize(40);
            // The burst met the limit: it was refused (429s, waited out) or spread by what the bot had learned of the
            // limit from the answers at connect, or both. Which one depends on timing; 35 posts past the burst of 5
            // at 20 a second take 1.75 s either way, and without the limiter they would take a few milliseconds.
            assertThat(took).as("40 posts under a limit of 20 a second (%d refused)", mm.rateLimited())
                    .isGreaterThan(Duration.ofMillis(1500));
        }
    }

    @Test
    void nothingPingsButCodeAndAddressesAreLeftAsWritten() {
        try (FakeMattermost mm = FakeMattermost.start()) {
            MattermostChat chat = chat(mm, Optional.empty(), Clock.systemUTC());
            String text = "hey @channel and @owner, mail owner@example.com, `@here`\n```sh\necho @all\n```\n@all.";
            String id = chat.post(mm.townSquare().id(), OutgoingMessage.text(text)).block(T);

            MmPost stored = mm.post(id);
            assertThat(mm.pings()).filteredOn(p -> p.postId().equals(id)).isEmpty();
            assertThat(stored.message()).contains("owner@example.com").contains("```sh\necho @all\n```")
                    .doesNotContain("@channel").doesNotContain("@owner,");
            assertThat(stored.message().replace("\u200B", "")).isEqualTo(text.replace("`@here`", "`@\u200Bhere`")
                    .replace("\u200B", ""));
        }
    }

    @Test
    void aFullPostWithMentionsKeepsItsLengthAndStillPingsNobody() {
        try (FakeMattermost mm = FakeMattermost.start(FakeMattermostSettings.defaults().withMaxPostSize(100))) {
            MattermostChat chat = chat(mm, Optional.empty(), Clock.systemUTC());
            String text = "@channel " + "x".repeat(91);
            assertThat(text).hasSize(100);

            String id = chat.post(mm.townSquare().id(), OutgoingMessage.text(text)).block(T);

            assertThat(mm.post(id).message()).hasSize(100).startsWith("＠channel");
            assertThat(mm.pings()).isEmpty();
        }
    }

    @Test
    void aThreadIdIsFoundAgainByANewAdapterAfterARestart() {
        try (FakeMattermost mm = FakeMattermost.start()) {
            String dm = mm.directChannel(mm.bot(), mm.owner()).id();
            String thread = chat(mm, Optional.empty(), Clock.systemUTC())
                    .openThread(dm, "a session", Optional.empty()).block(T);

            String reply = chat(mm, Optional.empty(), Clock.systemUTC())
                    .post(thread, OutgoingMessage.text("after the restart")).block(T);

            assertThat(mm.post(reply).rootId()).isEqualTo(thread);
            assertThat(mm.post(reply).channelId()).isEqualTo(dm);
        }
    }

    @Test
    void withoutACallbackUrlNoButtonIsShown() {
        try (FakeMattermost mm = FakeMattermost.start()) {
            String id = chat(mm, Optional.empty(), Clock.systemUTC()).post(mm.townSquare().id(),
                    OutgoingMessage.text("May I?").withRows(List.of(new ComponentRow.Buttons(List.of(
                            new Button("perm:allow:1", "Allow", Button.Style.SUCCESS, false)))))).block(T);

            assertThat(mm.post(id).attachments()).isEmpty();
        }
    }

    @Test
    void aClickReachesTheCallbackWithTheCustomIdAndTheSecret() {
        List<JsonNode> calls = new CopyOnWriteArrayList<>();
        DisposableServer callback = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> req.receive().aggregate().asByteArray()
                        .doOnNext(b -> calls.add(parse(b)))
                        .then(res.header("Content-Type", "application/json").sendString(Mono.just("{}")).then()))
                .bindNow();
        try (FakeMattermost mm = FakeMattermost.start()) {
            MattermostChat chat = chat(mm, Optional.of(new MattermostChat.Callback(
                    "http://127.0.0.1:" + callback.port() + "/actions", "s3cret")), Clock.systemUTC());
            String id = chat.post(mm.townSquare().id(), OutgoingMessage.text("May I?").withRows(List.of(
                    new ComponentRow.Buttons(List.of(new Button("perm:allow:1", "Allow", Button.Style.SUCCESS, false),
                            new Button("perm:deny:1", "Deny", Button.Style.DANGER, false)))))).block(T);
            String deny = mm.post(id).attachments().get(0).path("actions").get(1).path("id").asText();

            mm.click(mm.owner(), id, deny, "");

            assertThat(calls).singleElement().satisfies(call -> {
                assertThat(call.path("user_id").asText()).isEqualTo(mm.owner().id());
                assertThat(call.path("post_id").asText()).isEqualTo(id);
                assertThat(call.path("context").path("custom_id").asText()).isEqualTo("perm:deny:1");
                assertThat(call.path("context").path("secret").asText()).isEqualTo("s3cret");
            });
        } finally {
            callback.disposeNow();
        }
    }

    @Test
    void markupNamesPeopleWithoutAtAndWritesTimesInUtcWithTheirDistance() {
        try (FakeMattermost mm = FakeMattermost.start()) {
            Instant now = Instant.parse("2027-01-15T08:00:00Z");
            MattermostChat chat = chat(mm, Optional.empty(), Clock.fixed(now, ZoneOffset.UTC));
            assertThat(chat.markup().mention(mm.owner().id())).as("not learned yet").isEqualTo("`" + mm.owner().id() + "`");

            assertThat(chat.learnUser(mm.owner().id()).block(T)).isEqualTo("Olivia Owner");

            assertThat(chat.markup().mention(mm.owner().id())).isEqualTo("Olivia Owner");
            assertThat(chat.markup().relativeTime(now.plus(Duration.ofMinutes(5))))
                    .isEqualTo("2027-01-15 08:05 UTC (in 5 min)");
            assertThat(chat.markup().relativeTime(now.minus(Duration.ofMinutes(2))))
                    .isEqualTo("2027-01-15 07:58 UTC (2 min ago)");
            assertThat(chat.markup().channel("abc")).isEqualTo(mm.url() + "/_redirect/pl/abc");
        }
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return MattermostApi.JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
