package dev.claudebridge.testkit.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.testkit.FakeMattermost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps {@link FakeMattermost} honest: Mattermost's official JavaScript client ({@code @mattermost/client}, pinned
 * with {@code ws} in {@code src/test/mattermost-client}) runs {@code conformance.js} against two fakes, one with
 * Mattermost's defaults and one with rate limiting on (the server's defaults) and an edit time limit. The script
 * uses every endpoint and event the bot uses through Client4 and WebSocketClient; any disagreement between the fake
 * and the client fails here. A missing {@code node_modules} fails too (it is never a skip): {@code .ci/run} installs
 * it with {@code npm ci}.
 */
final class OfficialClientConformanceTest {

    private static final Path PACKAGE = Path.of("src", "test", "mattermost-client").toAbsolutePath();
    /** The checks conformance.js makes; fewer passing means some did not run. */
    private static final int CHECKS = 26;

    @Test
    @Timeout(120)
    void theOfficialClientAgreesWithTheFake() throws Exception {
        assertThat(PACKAGE.resolve("node_modules/@mattermost/client/package.json"))
                .as("the official client is not installed: run `npm ci` in %s (.ci/run does)", PACKAGE)
                .exists();
        assertThat(Files.readString(PACKAGE.resolve("node_modules/@mattermost/client/package.json")))
                .as("the pinned version").contains("\"version\": \"11.9.0\"");

        FakeMattermostSettings limited = FakeMattermostSettings.defaults()
                .withRateLimit(FakeMattermostSettings.RateLimit.serverDefaults())
                .withPostEditTimeLimit(60);
        try (FakeMattermost main = FakeMattermost.start(); FakeMattermost rateLimited = FakeMattermost.start(limited)) {
            ObjectNode config = MmJson.object();
            config.set("main", describe(main));
            config.set("limited", describe(rateLimited));

            Path log = Files.createTempFile("mattermost-conformance", ".log");
            Process node = new ProcessBuilder(List.of(System.getProperty("node.bin", "node"), "conformance.js",
                    MmJson.write(config)))
                    .directory(PACKAGE.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            boolean ended = node.waitFor(90, TimeUnit.SECONDS);
            if (!ended) {
                node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            System.out.println(output);

            assertThat(ended).as("conformance.js ended").isTrue();
            Matcher summary = Pattern.compile("(?m)^(\\d+) passed, (\\d+) failed$").matcher(output);
            assertThat(summary.find()).as("a summary line in:\n%s", output).isTrue();
            assertThat(summary.group(2)).as("failed checks:\n%s", output).isEqualTo("0");
            assertThat(Integer.parseInt(summary.group(1))).as("checks that ran").isEqualTo(CHECKS);
            assertThat(node.exitValue()).isZero();
        }
    }

    private static ObjectNode describe(FakeMattermost mm) {
        ObjectNode o = MmJson.object();
        o.put("url", mm.url());
        o.set("bot", user(mm.bot()));
        o.set("owner", user(mm.owner()));
        o.set("friend", user(mm.friend()));
        o.put("teamId", mm.teamId());
        o.put("channelId", mm.townSquare().id());
        return o;
    }

    private static ObjectNode user(MmUser u) {
        ObjectNode o = MmJson.object();
        o.put("id", u.id());
        o.put("username", u.username());
        o.put("token", u.token());
        return o;
    }
}
