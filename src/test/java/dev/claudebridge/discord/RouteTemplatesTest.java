package dev.claudebridge.discord;

import static org.assertj.core.api.Assertions.assertThat;

import discord4j.rest.route.Route;
import discord4j.rest.route.Routes;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The route tag of the Discord HTTP client's meters ({@link RestMetrics#uriTemplate}): for every route Discord4J can
 * call ({@link Routes}), a concrete path with real-looking ids, interaction and webhook tokens, emoji and codes gives
 * back Discord4J's own template, with no concrete part left. (Before, only all-digit segments were templated: the
 * tokens of {@code /interactions/{id}/{token}/callback} and {@code /webhooks/{id}/{token}/...} stayed in the tags.)
 */
final class RouteTemplatesTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]+)}");

    /** Every route of Discord4J 3.3.2: its name, its template, and a path as Discord4J would request it. */
    static Stream<Arguments> routes() throws IllegalAccessException {
        List<Arguments> all = new ArrayList<>();
        for (Field field : Routes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && Route.class.isAssignableFrom(field.getType())) {
                Route route = (Route) field.get(null);
                Concrete concrete = concrete(route.getUriTemplate());
                all.add(Arguments.of(route.getMethod().name() + " " + field.getName(), route.getUriTemplate(),
                        concrete.path(), concrete.values()));
            }
        }
        assertThat(all).as("Discord4J's routes").hasSizeGreaterThan(150);
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void everyRouteOfDiscord4jGivesItsTemplateWithNoConcretePartLeft(String name, String template, String path,
            List<String> values) {
        for (String shown : List.of(RestMetrics.uriTemplate("/api/v10" + path),
                RestMetrics.uriTemplate("/api/v10" + path + "?limit=50&after=900000000000000001"))) {
            assertThat(shown).isEqualTo("/api/v10" + template);
            values.forEach(value -> assertThat(shown).as("the concrete %s", value).doesNotContain(value));
        }
        // Reactor Netty may hand the path over without its leading slash.
        assertThat(RestMetrics.uriTemplate("api/v10" + path)).isEqualTo("api/v10" + template);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // the fake Discord's tokens, and what real ones look like
            "/api/v10/interactions/900000000000000020/itoken-900000000000000021/callback",
            "/api/v10/interactions/1234567890123456789/aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpXZ2Vy/callback"})
    void interactionCallbacksKeepNeitherIdNorToken(String path) {
        assertThat(RestMetrics.uriTemplate(path))
                .isEqualTo("/api/v10/interactions/{interaction.id}/{interaction.token}/callback");
    }

    @ParameterizedTest
    @ValueSource(strings = {"itoken-900000000000000023",
            "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpXZ2Vy",
            "Xk2_lQ-9vTqMpz3RbW0yFhA7eLdNcUo1sGtJiKx5B8uVwYfHn4Ca6EmD"})
    void interactionAnswersKeepNeitherApplicationNorToken(String token) {
        assertThat(RestMetrics.uriTemplate("/api/v10/webhooks/111111111111111111/" + token + "/messages/@original"))
                .isEqualTo("/api/v10/webhooks/{webhook.id}/{webhook.token}/messages/{message.id}");
        assertThat(RestMetrics.uriTemplate("/api/v10/webhooks/111111111111111111/" + token))
                .isEqualTo("/api/v10/webhooks/{webhook.id}/{webhook.token}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v10/nowhere/900000000000000001/itoken-5/messages",
            "/proxy/api/v10/unknown/itoken-5"})
    void aPathNoRouteFitsKeepsOnlyDiscordsWordsAndTheApiPrefix(String path) {
        String shown = RestMetrics.uriTemplate(path);
        assertThat(shown).doesNotContain("itoken", "900000000000000001", "nowhere", "unknown")
                .contains("/api/v10/");
        assertThat(RestMetrics.uriTemplate("/api/v10/nowhere/900000000000000001/itoken-5/messages"))
                .isEqualTo("/api/v10/{value}/{id}/{value}/messages");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", ""})
    void theGatewaysPathStaysAsItIs(String path) {
        assertThat(RestMetrics.uriTemplate(path + "?v=10&encoding=json&compress=zlib-stream")).isEqualTo(path);
    }

    private record Concrete(String path, List<String> values) {
    }

    /** The template with each placeholder filled as Discord would fill it; the values used, to look for later. */
    private static Concrete concrete(String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder path = new StringBuilder();
        List<String> values = new ArrayList<>();
        int n = 0;
        while (m.find()) {
            n++;
            String name = m.group(1);
            String value;
            if (name.endsWith(".token")) {
                value = name.startsWith("interaction") ? "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpXZ2VyTmFzZnR5" + n
                        : "Xk2_lQ-9vTqMpz3RbW0yFhA7eLdNcUo1sGtJiKx5B8uVwYfHn4Ca6EmDrZ" + n;
            } else if (name.equals("emoji")) {
                value = "%F0%9F%91%8D";
            } else if (name.endsWith(".code")) {
                value = "hgM48av5Q69A" + n;
            } else {
                value = "90000000000000000" + n; // an id: a snowflake
            }
            values.add(value);
            m.appendReplacement(path, Matcher.quoteReplacement(value));
        }
        m.appendTail(path);
        return new Concrete(path.toString(), values);
    }
}
