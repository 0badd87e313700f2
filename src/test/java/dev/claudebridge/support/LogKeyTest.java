package dev.claudebridge.support;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A session's thread id is a structured key of its log lines (SLF4J key-value {@code thread}), and both log formats
 * the bot ships show it: the text pattern of {@code logback-text.xml} and the JSON encoder of {@code logback-json.xml}.
 */
final class LogKeyTest {

    @Test
    void theThreadKeyShowsInTextAndJsonLogs() throws Exception {
        LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.setContext(context);
        events.start();
        Logger logger = context.getLogger("dev.claudebridge.LogKeyTest");
        logger.setAdditive(false); // this test's lines go to the list only
        logger.addAppender(events);

        logger.atWarn().addKeyValue("thread", "900000000000000014").log("turn could not run: {}", "timeout");

        ILoggingEvent event = events.list.getFirst();
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(shippedPattern());
        text.start();
        assertThat(new String(text.encode(event), StandardCharsets.UTF_8))
                .contains("turn could not run: timeout", "thread=\"900000000000000014\"");

        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        json.start();
        assertThat(new String(json.encode(event), StandardCharsets.UTF_8))
                .containsPattern("\"kvpList\":\\s*\\[\\s*\\{\\s*\"thread\"\\s*:\\s*\"900000000000000014\"")
                .doesNotContain("[T:");
    }

    private static String shippedPattern() throws Exception {
        String xml = Files.readString(Path.of("src", "main", "resources", "logback-text.xml"));
        Matcher m = Pattern.compile("<pattern>(.*)</pattern>").matcher(xml);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
