package dev.claudebridge.support;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped logging configuration ({@code logback.xml} with {@code logback-text.xml} or {@code logback-json.xml},
 * as {@code LOG_FORMAT} picks) redacts every line it prints: the error Discord4J raised for a refused interaction
 * callback (its message names the URL with the interaction's token), an {@code Authorization: Bot} header, a
 * configured secret; the route, the ids and the status stay, and a JSON line stays one valid JSON object.
 */
final class RedactedLogsTest {

    private static final String TOKEN = "itoken-900000000000000021";
    /** The message of the ClientException real Discord4J 3.3.2 raised against the fake Discord (SecretsIT's log). */
    private static final String DISCORD4J_ERROR = "POST /interactions/900000000000000020/" + TOKEN
            + "/callback returned 404 Not Found with response {code=10062, message=Unknown interaction}";
    private static final String BOT_TOKEN = "MTExMTExMTExMTExMTExMTEx.fake.secret";
    private static final String CONFIGURED = "an-oauth-token-of-no-known-shape";

    @ParameterizedTest
    @ValueSource(strings = {"text", "json"})
    void theShippedFormatsPrintNoSecret(String format) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        Encoder<ILoggingEvent> encoder = shippedEncoder(context, format);
        assertThat(encoder).isInstanceOf(RedactingEncoder.class);
        RedactingEncoder.hide(List.of(CONFIGURED));

        Logger logger = context.getLogger("dev.claudebridge.discord.DiscordEvents");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.ERROR,
                "handling {} failed, Authorization: Bot {} ({})",
                new IllegalStateException(DISCORD4J_ERROR, new RuntimeException("PATCH /webhooks/111111111111111111/"
                        + TOKEN + "/messages/@original returned 401 Unauthorized")),
                new Object[] {"Command", BOT_TOKEN, CONFIGURED});
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        System.out.println(line);

        String unescaped = line.replace("\\/", "/"); // the JSON encoder writes a slash as \/
        assertThat(line).doesNotContain(TOKEN, BOT_TOKEN, CONFIGURED);
        assertThat(unescaped).doesNotContain(TOKEN, BOT_TOKEN, CONFIGURED)
                .contains("handling Command failed", "/interactions/900000000000000020/{interaction.token}/callback",
                        "returned 404 Not Found", "10062", "/webhooks/111111111111111111/{webhook.token}/messages/@original",
                        "401 Unauthorized");
        if (format.equals("json")) {
            JsonNode json = new ObjectMapper().readTree(line);
            assertThat(json.path("formattedMessage").asText()).startsWith("handling Command failed");
            assertThat(json.path("throwable").path("message").asText())
                    .startsWith("POST /interactions/900000000000000020/{interaction.token}/callback returned 404");
        } else {
            assertThat(line).contains("\tat dev.claudebridge.support.RedactedLogsTest");
        }
    }

    /** The OUT appender's encoder of logback.xml as the bot loads it, configured for one LOG_FORMAT. */
    private static Encoder<ILoggingEvent> shippedEncoder(LoggerContext context, String format) throws Exception {
        context.putProperty("claude-bridge.log.format", format);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(Path.of("src", "main", "resources", "logback.xml").toFile());
        assertThat(context.getStatusManager().getCopyOfStatusList()).as("logback's own warnings and errors")
                .allMatch(s -> s.getLevel() < Status.WARN);
        OutputStreamAppender<ILoggingEvent> out = (OutputStreamAppender<ILoggingEvent>) context
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("OUT");
        assertThat(out.isStarted()).isTrue();
        return out.getEncoder();
    }
}
