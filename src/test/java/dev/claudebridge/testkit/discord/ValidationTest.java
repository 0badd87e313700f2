package dev.claudebridge.testkit.discord;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.FakeDiscord;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Each validation error answers with Discord's status, code and body. */
@Timeout(30)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class ValidationTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
    private FakeDiscord discord;
    private RawHttp http;
    private String messages;

    @BeforeAll
    void start() {
        discord = FakeDiscord.start(FakeDiscordSettings.defaults().withClock(clock).withMessageLimits(1000,
                Duration.ofSeconds(1)).withGlobalPerSecond(1000));
        http = new RawHttp(discord.port(), discord.token());
        messages = "/api/v10/channels/" + discord.ids().mainChannelId() + "/messages";
        http.send("PUT", "/api/v10/applications/" + discord.ids().applicationId() + "/commands",
                "[{\"name\":\"status\",\"description\":\"d\"}]");
    }

    @AfterAll
    void stop() {
        discord.close();
    }

    private static String json(Object... pairs) {
        var node = Json.object();
        for (int i = 0; i < pairs.length; i += 2) {
            node.set((String) pairs[i], Json.MAPPER.valueToTree(pairs[i + 1]));
        }
        return Json.write(node);
    }

    private static void assertFormError(RawHttp.Response response, String path, String errorCode) {
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().path("code").asInt()).isEqualTo(50035);
        assertThat(response.body().path("message").asText()).isEqualTo("Invalid Form Body");
        JsonNode at = response.body().path("errors");
        for (String key : path.split("\\.")) {
            at = at.path(key);
        }
        assertThat(at.path("_errors").path(0).path("code").asText()).as(response.body().toString())
                .isEqualTo(errorCode);
    }

    @Test
    void contentOver2000CodePointsIsRefusedAndExactly2000EmojiAreAccepted() {
        String emoji = "\uD83D\uDE00";
        assertThat(http.send("POST", messages, json("content", emoji.repeat(2000))).status()).isEqualTo(200);
        RawHttp.Response refused = http.send("POST", messages, json("content", "a".repeat(2001)));
        assertFormError(refused, "content", "BASE_TYPE_MAX_LENGTH");
        assertThat(refused.body().path("errors").path("content").path("_errors").path(0).path("message").asText())
                .isEqualTo("Must be 2000 or fewer in length.");
    }

    @Test
    void embedLimitsAreEnforced() {
        assertFormError(http.send("POST", messages, json("embeds", new Object[] {Map.of("title", "t".repeat(257))})),
                "embeds.0.title", "BASE_TYPE_MAX_LENGTH");
        Object big = Map.of("description", "d".repeat(4000));
        assertFormError(http.send("POST", messages, json("embeds", new Object[] {big, big})),
                "embeds", "MAX_EMBED_SIZE_EXCEEDED");
    }

    @Test
    void moreThanFiveRowsOrButtonsAndLongCustomIdsAreRefused() {
        Object button = Map.of("type", 2, "style", 1, "label", "b", "custom_id", "x");
        Object[] sixRows = new Object[6];
        for (int i = 0; i < 6; i++) {
            sixRows[i] = Map.of("type", 1, "components", new Object[] {Map.of("type", 2, "style", 1, "label", "b",
                    "custom_id", "r" + i)});
        }
        assertFormError(http.send("POST", messages, json("content", "x", "components", sixRows)),
                "components", "BASE_TYPE_MAX_LENGTH");

        Object[] sixButtons = new Object[6];
        for (int i = 0; i < 6; i++) {
            sixButtons[i] = Map.of("type", 2, "style", 1, "label", "b", "custom_id", "b" + i);
        }
        assertFormError(http.send("POST", messages, json("content", "x", "components",
                new Object[] {Map.of("type", 1, "components", sixButtons)})), "components.0.components",
                "BASE_TYPE_BAD_LENGTH");

        Object longId = Map.of("type", 2, "style", 1, "label", "b", "custom_id", "c".repeat(101));
        assertFormError(http.send("POST", messages, json("content", "x", "components",
                new Object[] {Map.of("type", 1, "components", new Object[] {button, longId})})),
                "components.0.components.1.custom_id", "BASE_TYPE_BAD_LENGTH");
    }

    @Test
    void anEmptyMessageIsRefused() {
        RawHttp.Response refused = http.send("POST", messages, json("content", ""));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().path("code").asInt()).isEqualTo(50006);
        assertThat(refused.body().path("message").asText()).isEqualTo("Cannot send an empty message");
    }

    @Test
    void aCallbackAfterTheDeadlineIsUnknownAndASecondCallbackIsRefused() {
        InteractionRef late = discord.slashCommand(FakeUser.OWNER, discord.ids().mainChannelId(), "status", Map.of());
        clock.advance(Duration.ofMillis(3_001));
        RawHttp.Response expired = http.send("POST", callback(late), "{\"type\":5,\"data\":{}}");
        assertThat(expired.status()).isEqualTo(404);
        assertThat(expired.body()).isEqualTo(Json.parse("{\"message\":\"Unknown interaction\",\"code\":10062}"));

        InteractionRef ref = discord.slashCommand(FakeUser.OWNER, discord.ids().mainChannelId(), "status", Map.of());
        assertThat(http.send("POST", callback(ref), "{\"type\":5,\"data\":{}}").status()).isEqualTo(204);
        RawHttp.Response twice = http.send("POST", callback(ref), "{\"type\":4,\"data\":{\"content\":\"x\"}}");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.body()).isEqualTo(Json.parse(
                "{\"message\":\"Interaction has already been acknowledged.\",\"code\":40060}"));
    }

    @Test
    void aReplyOver2000CodePointsIsRefusedAndAnExpiredTokenCannotEditTheOriginal() {
        InteractionRef ref = discord.slashCommand(FakeUser.OWNER, discord.ids().mainChannelId(), "status", Map.of());
        assertFormError(http.send("POST", callback(ref), "{\"type\":4,\"data\":" + json("content", "x".repeat(2001))
                + "}"), "content", "BASE_TYPE_MAX_LENGTH");
        assertThat(http.send("POST", callback(ref), "{\"type\":4,\"data\":{\"content\":\"ok\"}}").status())
                .isEqualTo(204);
        String original = "/api/v10/webhooks/" + discord.ids().applicationId() + "/" + ref.token()
                + "/messages/@original";
        assertThat(http.send("PATCH", original, json("content", "edited")).status()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(16));
        RawHttp.Response expired = http.send("PATCH", original, json("content", "too late"));
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.body().path("code").asInt()).isEqualTo(50027);
    }

    private static String callback(InteractionRef ref) {
        return "/api/v10/interactions/" + ref.id() + "/" + ref.token() + "/callback";
    }

    @Test
    void editingAMessageOlderThanAnHourIsRefusedAfterTheAllowedEdits() {
        String id = http.send("POST", messages, json("content", "old")).body().path("id").asText();
        discord.ageMessage(id, Duration.ofMinutes(61));
        RawHttp.Response refused = http.send("PATCH", messages + "/" + id, json("content", "new"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).isEqualTo(Json.parse("{\"message\":\"Maximum number of edits to messages older "
                + "than 1 hour reached. Try again later.\",\"code\":30046}"));

        discord.updateSettings(s -> s.withOldMessageEditsAllowed(1));
        assertThat(http.send("PATCH", messages + "/" + id, json("content", "new")).status()).isEqualTo(200);
        assertThat(http.send("PATCH", messages + "/" + id, json("content", "newer")).body().path("code").asInt())
                .isEqualTo(30046);
        assertThat(discord.message(id).edits()).extracting(MessageEdit::content).containsExactly("new");
        discord.updateSettings(s -> s.withOldMessageEditsAllowed(0));
    }

    @Test
    void unknownChannelsMessagesAndRoutesAnswerDiscords404s() {
        assertThat(http.send("POST", "/api/v10/channels/1/messages", json("content", "x")).body().path("code")
                .asInt()).isEqualTo(10003);
        assertThat(http.send("GET", messages + "/1", null).body().path("code").asInt()).isEqualTo(10008);
        assertThat(http.send("GET", "/api/v10/nothing/here", null).status()).isEqualTo(404);
        assertThat(new RawHttp(discord.port(), null).send("GET", messages, null).status()).isEqualTo(401);
    }
}
