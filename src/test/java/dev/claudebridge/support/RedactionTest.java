package dev.claudebridge.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Redaction}: each kind of secret hidden, and what a line needs to stay useful kept. */
final class RedactionTest {

    /** A real-shaped bot token: base64 of a user id, a timestamp, an HMAC. */
    private static final String BOT_TOKEN = "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs";
    private static final String INTERACTION_TOKEN =
            "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpXZ2VyTmFzZnR5dmdkc2ZnaGpr";

    @Test
    void discord4jsErrorKeepsMethodRouteIdsAndStatusButNotTheToken() {
        String error = "discord4j.rest.http.client.ClientException: POST /interactions/900000000000000020/"
                + "itoken-900000000000000021/callback returned 404 Not Found with response {code=10062, "
                + "message=Unknown interaction}";
        assertThat(Redaction.text(error)).isEqualTo("discord4j.rest.http.client.ClientException: POST "
                + "/interactions/900000000000000020/{interaction.token}/callback returned 404 Not Found with response "
                + "{code=10062, message=Unknown interaction}");
        String edit = "PATCH https://discord.com/api/v10/webhooks/111111111111111111/" + INTERACTION_TOKEN
                + "/messages/@original returned 401 Unauthorized";
        assertThat(Redaction.text(edit)).isEqualTo("PATCH https://discord.com/api/v10/webhooks/111111111111111111/"
                + "{webhook.token}/messages/@original returned 401 Unauthorized");
    }

    @Test
    void urlsInsideAJsonLineWithEscapedSlashesToo() {
        String json = "\"message\":\"POST \\/api\\/v10\\/interactions\\/900000000000000020\\/itoken-21\\/callback"
                + " and PATCH \\/webhooks\\/111111111111111111\\/itoken-23\\/messages\\/@original from "
                + "r2dbc:postgresql:\\/\\/bridge:s3cret@db\\/bridge\"";
        assertThat(Redaction.text(json)).isEqualTo("\"message\":\"POST \\/api\\/v10\\/interactions\\/"
                + "900000000000000020\\/{interaction.token}\\/callback and PATCH \\/webhooks\\/111111111111111111\\/"
                + "{webhook.token}\\/messages\\/@original from r2dbc:postgresql:\\/\\/bridge:***@db\\/bridge\"");
    }

    @Test
    void routeTemplatesAreLeftAsTheyAre() {
        String template = "Request to POST /interactions/{interaction.id}/{interaction.token}/callback and PATCH "
                + "/webhooks/{webhook.id}/{webhook.token}/messages/{message.id}";
        assertThat(Redaction.text(template)).isEqualTo(template);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Authorization: Bot MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs | Authorization: Bot ***",
            "Authorization: Bearer abcdefghijklmnop0123456789 | Authorization: Bearer ***",
            "token MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs rejected | token *** rejected",
            "the fake token MTExMTExMTExMTExMTExMTEx.fake.secret | the fake token ***",
            "data={\"token\":\"aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpX\"} | data={\"token\":\"***\"}",
            "in \\\"token\\\":\\\"abc.def\\\" escaped | in \\\"token\\\":\\\"***\\\" escaped",
            "key sk-ant-api03-AbC_dEf-123 refused | key sk-ant-*** refused",
            "r2dbc:postgresql://bridge:s3cret@db:5432/bridge | r2dbc:postgresql://bridge:***@db:5432/bridge",
            "https://user:p@ss@host/x | https://user:***@host/x",
            "r2dbc:postgresql://db/bridge?user=bridge&password=s3cret&sslMode=REQUIRE"
                    + " | r2dbc:postgresql://db/bridge?user=bridge&password=***&sslMode=REQUIRE",
    })
    void secretsInTextAreHidden(String text, String expected) {
        assertThat(Redaction.text(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "at dev.claudebridge.discord.DiscordEvents.lambda$handle$0(DiscordEvents.java:61)",
            "Using H2 2.4.240 which is newer than the version Flyway has been verified with",
            "claude-bridge-postgresql-primary.namespace.svc.cluster.local:5432",
            "ChatInputInteractionEvent.deferReply.withEphemeral returned",
            "thread=\"900000000000000014\" the bot is ready",
            "jdbc:postgresql://127.0.0.1:5432/bridge for user 'bridge'",
            "/channels/300000000000000001/messages/900000000000000031 returned 200 OK",
    })
    void ordinaryLinesAreLeftAlone(String line) {
        assertThat(Redaction.text(line)).isSameAs(line);
    }

    @Test
    void longBase64RunsAreScannedInLinearTime() {
        String blob = "A".repeat(200_000) + "." + "b".repeat(200_000);
        long started = System.nanoTime();
        assertThat(Redaction.text(blob)).isEqualTo(blob);
        assertThat(System.nanoTime() - started).as("nanoseconds").isLessThan(2_000_000_000L);
    }

    @Test
    void literalSecretsAreHiddenWhateverTheirShape() {
        assertThat(Redaction.text("key=plain and oauth-value-42 here", List.of("oauth-value-42", "short")))
                .isEqualTo("key=plain and *** here");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "postgresql://bridge:db-Pa55@db.example:5432/bridge | postgresql://bridge:***@db.example:5432/bridge",
            "r2dbc:postgresql://u:p@ss/w0rd@host/db | r2dbc:postgresql://u:***@host/db",
            "postgres:hunter22@host | postgres:***@host",
            "r2dbc:mysql://host/db?user=u&password=hunter22&x=1 | r2dbc:mysql://host/db?user=u&password=***&x=1",
            "r2dbc:mysql://host/db?PASSWORD=hunter22 | r2dbc:mysql://host/db?PASSWORD=***",
            "r2dbc:h2:mem:///test | r2dbc:h2:mem:///test",
            "postgresql://bridge@db/bridge | postgresql://bridge@db/bridge",
    })
    void aSettingsUrlLosesItsPasswordEvenWhenMalformed(String url, String expected) {
        assertThat(Redaction.url(url)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "r2dbc:postgresql://bridge:db-Pa55@db.example:5432/bridge | db-Pa55",
            "r2dbc:postgresql://db/bridge?user=bridge&password=hunter22 | hunter22",
            "r2dbc:h2:file:////data/claude-bridge | ''",
    })
    void thePasswordOfAUrlIsFound(String url, String password) {
        assertThat(Redaction.urlPassword(url).orElse("")).isEqualTo(password);
    }

    @Test
    void interactionTokensAreRecognisedOutsideAUrl() {
        assertThat(Redaction.text("interaction " + INTERACTION_TOKEN + " expired"))
                .isEqualTo("interaction {interaction.token} expired");
        assertThat(Redaction.text(BOT_TOKEN)).isEqualTo("***");
    }
}
