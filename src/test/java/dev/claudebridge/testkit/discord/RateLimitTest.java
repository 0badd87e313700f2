package dev.claudebridge.testkit.discord;

import static org.assertj.core.api.Assertions.assertThat;

import discord4j.common.util.Snowflake;
import discord4j.core.object.entity.Message;
import discord4j.core.object.entity.channel.TextChannel;
import discord4j.core.spec.MessageEditSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Timeout(60)
final class RateLimitTest {

    @Test
    void withTheChannelLimitLoweredToTwoPerFiveSecondsDiscord4jWaitsAndSucceedsWithoutA429() {
        try (Harness h = Harness.start()) {
            h.discord.updateSettings(s -> s.withMessageLimits(2, Duration.ofSeconds(5)));
            TextChannel main = h.gateway.getChannelById(Snowflake.of(h.ids.mainChannelId()))
                    .ofType(TextChannel.class).block(Harness.WAIT);
            Message first = main.createMessage("first").block(Harness.WAIT);

            // Two more creates (the third create must wait) and three edits (the third edit must wait), together.
            Instant start = Instant.now();
            List<String> done = Flux.merge(
                    Flux.concat(main.createMessage("second"), main.createMessage("third")).map(m -> "create"),
                    Flux.range(1, 3).concatMap(i -> first.edit(MessageEditSpec.builder().contentOrNull("edit " + i)
                            .build())).map(m -> "edit"))
                    .collectList().block(Duration.ofSeconds(30));
            Duration took = Duration.between(start, Instant.now());

            assertThat(done).hasSize(5);
            assertThat(h.discord.rateLimitedTotal()).isZero();
            assertThat(took).isGreaterThan(Duration.ofMillis(4_000));
            List<PostedMessage> posts = h.discord.messages(h.ids.mainChannelId());
            assertThat(posts).extracting(PostedMessage::content)
                    .containsExactly("edit 3", "second", "third");
            Instant second = posts.get(1).createdAt();
            Instant third = posts.get(2).createdAt();
            assertThat(Duration.between(posts.get(0).createdAt(), third)).isGreaterThan(Duration.ofMillis(4_500));
            assertThat(second).isBefore(third);
            List<MessageEdit> edits = posts.get(0).edits();
            assertThat(Duration.between(edits.get(0).at(), edits.get(2).at())).isGreaterThan(Duration.ofMillis(4_500));
            assertThat(h.discord.requestCounts()).containsEntry(dev.claudebridge.testkit.discord.FakeRoutes.CREATE_MESSAGE, 3L)
                    .containsEntry(FakeRoutes.EDIT_MESSAGE, 3L);
        }
    }

    @Test
    void bucketHeadersAndThe429BodyAreDiscords() {
        // A clock that stands still makes every header exact, however slow this machine is.
        Instant now = Instant.parse("2026-11-21T12:00:00Z");
        try (var discord = dev.claudebridge.testkit.FakeDiscord.start(FakeDiscordSettings.defaults()
                .withClock(new MutableClock(now)))) {
            discord.updateSettings(s -> s.withMessageCreate(new FakeDiscordSettings.RateLimit(1, Duration.ofSeconds(10))));
            RawHttp http = new RawHttp(discord.port(), discord.token());
            String path = "/api/v10/channels/" + discord.ids().mainChannelId() + "/messages";

            RawHttp.Response ok = http.send("POST", path, "{\"content\":\"one\"}");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("X-RateLimit-Limit")).isEqualTo("1");
            assertThat(ok.header("X-RateLimit-Remaining")).isEqualTo("0");
            assertThat(ok.header("X-RateLimit-Reset-After")).isEqualTo("10.000");
            assertThat(ok.header("X-RateLimit-Reset")).isEqualTo(now.getEpochSecond() + 10 + ".000");
            assertThat(ok.header("X-RateLimit-Bucket")).isNotBlank();
            assertThat(ok.header("X-RateLimit-Global")).isNull();

            RawHttp.Response limited = http.send("POST", path, "{\"content\":\"two\"}");
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.body().path("message").asText()).isEqualTo("You are being rate limited.");
            assertThat(limited.body().path("global").asBoolean(true)).isFalse();
            assertThat(limited.body().path("retry_after").asDouble()).isEqualTo(10.0);
            assertThat(limited.header("Retry-After")).isEqualTo("10");
            assertThat(limited.header("X-RateLimit-Scope")).isEqualTo("user");
            assertThat(limited.header("X-RateLimit-Remaining")).isEqualTo("0");

            // Another channel has its own bucket; edits have theirs.
            assertThat(http.send("POST", "/api/v10/channels/" + discord.ids().otherChannelId() + "/messages",
                    "{\"content\":\"elsewhere\"}").status()).isEqualTo(200);
            String id = discord.messages(discord.ids().mainChannelId()).get(0).id();
            assertThat(http.send("PATCH", path + "/" + id, "{\"content\":\"edited\"}").header("X-RateLimit-Limit"))
                    .isEqualTo("5");

            assertThat(discord.rateLimitCounts()).isEqualTo(java.util.Map.of(FakeRoutes.CREATE_MESSAGE, 1L));
            assertThat(discord.messages(discord.ids().mainChannelId())).extracting(PostedMessage::content)
                    .containsExactly("edited");
        }
    }

    @Test
    void theGlobalLimitAnswers429WithAnIntegerRetryAfter() {
        try (var discord = dev.claudebridge.testkit.FakeDiscord.start(FakeDiscordSettings.defaults()
                .withGlobalPerSecond(2).withClock(new MutableClock(Instant.parse("2026-01-01T00:00:00Z"))))) {
            RawHttp http = new RawHttp(discord.port(), discord.token());
            String path = "/api/v10/channels/" + discord.ids().mainChannelId();
            assertThat(http.send("GET", path, null).status()).isEqualTo(200);
            assertThat(http.send("GET", path, null).status()).isEqualTo(200);
            RawHttp.Response limited = http.send("GET", path, null);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.header("X-RateLimit-Global")).isEqualTo("true");
            assertThat(limited.header("X-RateLimit-Scope")).isEqualTo("global");
            assertThat(Long.parseLong(limited.header("Retry-After"))).isEqualTo(1L);
            assertThat(limited.body().path("global").asBoolean()).isTrue();
        }
    }
}
