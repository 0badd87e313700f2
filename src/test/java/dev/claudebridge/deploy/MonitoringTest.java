package dev.claudebridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.claudebridge.Application;
import dev.claudebridge.config.BridgeConfig;
import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.BotEnvironment;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.FakeDiscord;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import dev.claudebridge.testkit.discord.Change;
import dev.claudebridge.testkit.discord.FakeDiscordSettings;
import dev.claudebridge.testkit.discord.FakeUser;
import dev.claudebridge.testkit.discord.PostedMessage;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The operations pack of {@code k8s/monitoring} (docs/operations.md): off by default; rendered by
 * {@code kubectl kustomize} in an overlay that turns it on, it scrapes the bot's ops port, each alert has a runbook
 * section, and every meter that an alert or a dashboard query reads is in the bot's {@code /metrics} after a real
 * turn (the real CLI against the fake Anthropic API, the real Discord4J client against the fake Discord).
 */
@Timeout(300)
final class MonitoringTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Set<String> ALERTS = Set.of("ClaudeBridgeNotReady", "ClaudeBridgeDiscordRateLimited",
            "ClaudeBridgeCliDeaths", "ClaudeBridgeStoreWritesFailing", "ClaudeBridgeSessionsRefused");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> objects;
    private static JsonNode dashboard;

    @TempDir
    Path root;

    /** An overlay as docs/operations.md tells an operator to write it: the base plus the component. */
    @BeforeAll
    static void render(@TempDir Path overlay) throws Exception {
        Kube.overlay(overlay, "monitoring", "");
        objects = documents(Kube.render(overlay));
        V1ConfigMap map = V1ConfigMap.fromJson(JSON.writeValueAsString(one("ConfigMap",
                o -> o.path("metadata").path("labels").has("grafana_dashboard"))));
        dashboard = JSON.readTree(map.getData().get("dashboard.json"));
    }

    @Test
    void offByDefault() throws Exception {
        List<JsonNode> plain = documents(Kube.render(Repo.path("k8s")));
        assertThat(plain).extracting(o -> o.path("kind").asText())
                .doesNotContain("PodMonitor", "PrometheusRule");
        assertThat(plain).noneMatch(o -> o.path("metadata").path("labels").has("grafana_dashboard"));
        assertThat(objects).extracting(o -> o.path("kind").asText()).contains("StatefulSet", "PodMonitor",
                "PrometheusRule");
    }

    @Test
    void thePodMonitorScrapesTheBotsOpsPortInItsNamespace() throws Exception {
        V1StatefulSet statefulSet = V1StatefulSet.fromJson(JSON.writeValueAsString(one("StatefulSet", o -> true)));
        JsonNode monitor = one("PodMonitor", o -> true);
        assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.path("metadata").path("namespace").asText())
                .isEqualTo(statefulSet.getMetadata().getNamespace());
        Map<String, String> selector = JSON.convertValue(monitor.path("spec").path("selector").path("matchLabels"),
                JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
        assertThat(selector).isNotEmpty();
        assertThat(statefulSet.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(selector);
        assertThat(monitor.path("spec").fieldNames()).toIterable().containsOnly("selector", "podMetricsEndpoints");

        JsonNode endpoints = monitor.path("spec").path("podMetricsEndpoints");
        assertThat(endpoints).hasSize(1);
        JsonNode endpoint = endpoints.get(0);
        assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
        V1Container bot = statefulSet.getSpec().getTemplate().getSpec().getContainers().getFirst();
        int opsPort = Integer.parseInt(one("ConfigMap", o -> o.path("data").has("OPS_PORT"))
                .path("data").path("OPS_PORT").asText());
        assertThat(bot.getPorts()).filteredOn(p -> p.getName().equals(endpoint.path("port").asText()))
                .extracting(V1ContainerPort::getContainerPort).containsExactly(opsPort);
        assertThat(durationSeconds(endpoint.path("scrapeTimeout").asText()))
                .isLessThanOrEqualTo(durationSeconds(endpoint.path("interval").asText()));
    }

    @Test
    void eachAlertHasASeverityASummaryAndASectionOfTheRunbook() {
        JsonNode rule = one("PrometheusRule", o -> true);
        assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        Set<String> anchors = anchors(Repo.read("docs/operations.md"));
        List<JsonNode> alerts = alerts();
        assertThat(alerts).extracting(a -> a.path("alert").asText()).containsExactlyInAnyOrderElementsOf(ALERTS);
        for (JsonNode alert : alerts) {
            String name = alert.path("alert").asText();
            assertThat(alert.path("expr").asText()).as(name).isNotBlank();
            assertThat(alert.path("labels").path("severity").asText()).as(name).isIn("warning", "critical");
            assertThat(alert.path("annotations").path("summary").asText()).as(name).isNotBlank();
            if (alert.has("for")) {
                assertThat(durationSeconds(alert.path("for").asText())).as(name).isPositive();
            }
            String runbook = alert.path("annotations").path("runbook_url").asText();
            assertThat(runbook).as(name).startsWith("docs/operations.md#");
            assertThat(anchors).as("headings of docs/operations.md").contains(runbook.substring(runbook.indexOf('#')
                    + 1));
        }
    }

    @Test
    void theDashboardIsAConfigMapForGrafanasSidecarWithAQueryInEveryPanel() {
        JsonNode map = one("ConfigMap", o -> o.path("metadata").path("labels").has("grafana_dashboard"));
        assertThat(map.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
        assertThat(map.path("metadata").path("name").asText()).as("a fixed name, no hash suffix")
                .isEqualTo("claude-bridge-dashboard");
        assertThat(dashboard.path("uid").asText()).isEqualTo("claude-bridge");
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        List<JsonNode> graphs = panels.stream().filter(p -> !p.path("type").asText().equals("row")).toList();
        assertThat(graphs).allSatisfy(p -> assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty());
        assertThat(graphs).extracting(p -> p.path("title").asText()).contains("Sessions by state", "Turns by outcome",
                "Turn duration", "Cost per day", "Edit lag", "Discord requests by route", "Discord 429s by route",
                "CLI memory");
        Set<Integer> ids = new TreeSet<>();
        panels.forEach(p -> assertThat(ids.add(p.path("id").asInt())).as("panel ids are unique").isTrue());
    }

    @Test
    void metricNamesAreReadFromPromQlWithoutFunctionsLabelsOrDurations() {
        assertThat(PromQl.metricNames("histogram_quantile(0.95, sum by (le) (rate(x_seconds_bucket{ns=~\"$ns\","
                + "route=\"/a/{id}\"}[$__rate_interval])))")).containsExactly("x_seconds_bucket");
        assertThat(PromQl.metricNames("sum(rate(a_total[5m] offset 1h)) by (route) / on (pod) group_left (node) "
                + "b > bool 1e3")).containsExactly("a_total", "b");
        assertThat(PromQl.metricNames("ready == 0 or absent(ready) unless on() vector(1)"))
                .containsExactly("ready");
        assertThat(PromQl.metricNames("max_over_time(c[1h:5m]) and {__name__=\"d_total\", job=\"x\"}"))
                .containsExactly("c", "d_total");
        assertThat(PromQl.metricNames("label_values(bridge_ready{ns=\"a\"}, namespace)"))
                .containsExactly("bridge_ready");
        assertThat(PromQl.metricNames("label_values(namespace)")).isEmpty();
    }

    @Test
    void everyMeterTheAlertsAndTheDashboardReadIsInALiveScrapeAfterARealTurn() throws Exception {
        Map<String, Set<String>> readBy = new TreeMap<>();
        for (JsonNode alert : alerts()) {
            PromQl.metricNames(alert.path("expr").asText()).forEach(name -> readBy.computeIfAbsent(name,
                    n -> new TreeSet<>()).add("alert " + alert.path("alert").asText()));
        }
        for (Map.Entry<String, String> query : dashboardQueries().entrySet()) {
            PromQl.metricNames(query.getValue()).forEach(name -> readBy.computeIfAbsent(name,
                    n -> new TreeSet<>()).add("dashboard " + query.getKey()));
        }
        assertThat(readBy.keySet()).as("names read by the pack").contains("bridge_ready",
                "bridge_discord_rate_limited_total", "bridge_cli_deaths_total", "bridge_store_write_failures_total",
                "bridge_sessions_refused_total", "bridge_turn_duration_seconds_bucket",
                "bridge_edit_lag_seconds_bucket", "bridge_cli_memory_rss_bytes", "bridge_queue_depth",
                "bridge_permission_wait_seconds_bucket", "bridge_cost_usd_total", "bridge_sessions");

        // One request per second in all at first: the bot's start-up and session burst meet Discord's global
        // limit, so real 429s reach the rate-limit meter (it has a series only once a route was limited).
        try (FakeDiscord discord = FakeDiscord.start(FakeDiscordSettings.defaults().withGlobalPerSecond(1));
                FakeAnthropicApi api = FakeAnthropicApi.start()) {
            BridgeConfig config = BridgeConfig.fromEnv(BotEnvironment.of(root, discord, api,
                    Map.of("MAX_SESSIONS_PER_USER", "1")));
            Application app = Application.start(config, Clock.systemUTC()).block(WAIT);
            try {
                String main = discord.ids().mainChannelId();
                api.on(Match.userTextContains("touch"), Reply.blocks(Block.text("Running it."),
                                Block.toolUse("Bash", Map.of("command", "touch metered.txt", "description", "Run it"))))
                        .on(Match.toolResultFor("Bash"), Reply.text("The file is there."));
                discord.userMessage(FakeUser.OWNER, main, "please touch a file");
                String thread = discord.next(Change.ThreadCreated.class, t -> true, WAIT).block().thread().id();
                PostedMessage ask = discord.awaitMessage(m -> m.byBot() && m.channelId().equals(thread)
                        && m.content().startsWith("🔐"), WAIT);
                await().atMost(WAIT).until(() -> discord.rateLimitedTotal() > 0);
                discord.updateSettings(s -> s.withGlobalPerSecond(50));
                discord.clickButton(FakeUser.OWNER, ask.id(), ask.customIds().getFirst()); // Allow
                awaitContent(discord, thread, c -> c.contains("The file is there.") && c.contains("⏱"));
                // A second session for a user allowed one: refused at MAX_SESSIONS_PER_USER.
                discord.userMessage(FakeUser.OWNER, main, "another session please");
                awaitContent(discord, main, c -> c.contains("MAX_SESSIONS_PER_USER"));

                String text = awaitScrape(app.opsPort(), t -> value(t, "bridge_turns_total", Map.of("outcome", "ok"))
                        == 1 && value(t, "bridge_sessions", Map.of("state", "idle")) == 1);
                Exposition scrape = Exposition.parse(text);

                Map<String, Set<String>> missing = new TreeMap<>(readBy);
                missing.keySet().removeAll(scrape.samples());
                assertThat(missing).as("meters read by k8s/monitoring but not in /metrics (read by)").isEmpty();
                readBy.keySet().stream().filter(n -> n.endsWith("_bucket")).forEach(bucket -> assertThat(
                        scrape.types().get(bucket.substring(0, bucket.length() - "_bucket".length())))
                        .as("%s is a histogram", bucket).isEqualTo("histogram"));
                // The check itself can fail: a name nothing exports is reported.
                assertThat(scrape.samples()).doesNotContain("bridge_no_such_meter_total", "bridge_turn_duration");

                // What the pack shows is what happened.
                assertThat(value(text, "bridge_ready", Map.of())).isEqualTo(1.0);
                assertThat(value(text, "bridge_turn_duration_seconds_bucket", Map.of("outcome", "ok", "le", "+Inf")))
                        .isEqualTo(1.0);
                assertThat(value(text, "bridge_permission_wait_seconds_count", Map.of("outcome", "allowed")))
                        .isEqualTo(1.0);
                assertThat(value(text, "bridge_permission_wait_seconds_count", Map.of("outcome", "timed_out")))
                        .isZero();
                assertThat(value(text, "bridge_sessions_refused_total", Map.of("limit", "per_user"))).isEqualTo(1.0);
                assertThat(value(text, "bridge_sessions_refused_total", Map.of("limit", "live_clis"))).isZero();
                assertThat(value(text, "bridge_edit_lag_seconds_count", Map.of())).isPositive();
                assertThat(value(text, "bridge_queue_depth", Map.of())).isZero();
                assertThat(value(text, "bridge_store_write_failures_total", Map.of())).isZero();
                double rss = value(text, "bridge_cli_memory_rss_bytes", Map.of());
                assertThat(rss).as("one live CLI's resident memory").isGreaterThan(20 * 1024 * 1024)
                        .isEqualTo(value(text, "bridge_cli_memory_rss_max_bytes", Map.of()));
                System.out.printf("one CLI after a turn: %.0f MiB resident; %d names read by the pack%n",
                        rss / 1024 / 1024, readBy.size());
            } finally {
                app.stop(Duration.ofSeconds(15)).block(Duration.ofSeconds(30));
            }
        }
    }

    // --- the rendered pack ------------------------------------------------------------------------------------

    private static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    private static JsonNode one(String kind, java.util.function.Predicate<JsonNode> which) {
        List<JsonNode> found = objects.stream().filter(o -> o.path("kind").asText().equals(kind)).filter(which)
                .toList();
        assertThat(found).as("rendered objects of kind %s", kind).hasSize(1);
        return found.getFirst();
    }

    private static List<JsonNode> alerts() {
        List<JsonNode> rules = new ArrayList<>();
        one("PrometheusRule", o -> true).path("spec").path("groups")
                .forEach(g -> g.path("rules").forEach(rules::add));
        assertThat(rules).allSatisfy(r -> assertThat(r.has("alert")).as("only alerting rules").isTrue());
        return rules;
    }

    /** Every query of the dashboard, by where it is: panel targets and query variables. */
    private static Map<String, String> dashboardQueries() {
        Map<String, String> queries = new LinkedHashMap<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> queries.put(
                "'" + p.path("title").asText() + "' " + t.path("refId").asText(), t.path("expr").asText())));
        dashboard.path("templating").path("list").forEach(v -> {
            if (v.path("type").asText().equals("query")) {
                JsonNode q = v.path("query");
                queries.put("variable " + v.path("name").asText(), q.isTextual() ? q.asText()
                        : q.path("query").asText());
            }
        });
        assertThat(queries.values()).allSatisfy(q -> assertThat(q).isNotBlank());
        return queries;
    }

    /** GitHub's anchors of a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens. */
    static Set<String> anchors(String markdown) {
        return markdown.lines().filter(l -> l.matches("#{1,6} .*"))
                .map(l -> l.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'))
                .collect(Collectors.toSet());
    }

    private static long durationSeconds(String promDuration) {
        Matcher m = Pattern.compile("(\\d+)(s|m|h)").matcher(promDuration);
        assertThat(m.matches()).as("a duration: %s", promDuration).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> n;
            case "m" -> n * 60;
            default -> n * 3600;
        };
    }

    // --- the live bot -----------------------------------------------------------------------------------------

    private static void awaitContent(FakeDiscord discord, String channelId, java.util.function.Predicate<String> ok) {
        discord.changes()
                .filter(c -> c instanceof Change.MessageCreated || c instanceof Change.MessageEdited)
                .map(c -> c instanceof Change.MessageCreated mc ? mc.message() : ((Change.MessageEdited) c).message())
                .filter(m -> m.byBot() && m.channelId().equals(channelId) && ok.test(m.content()))
                .blockFirst(WAIT);
    }

    /** GETs /metrics (a new connection each time) until {@code ok}; the text that satisfied it. */
    private static String awaitScrape(int port, java.util.function.Predicate<String> ok) {
        HttpClient client = HttpClient.create(ConnectionProvider.newConnection()).baseUrl("http://127.0.0.1:" + port);
        String[] last = {""};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            String body = client.get().uri("/metrics").responseSingle((r, b) -> b.asString()).block(WAIT);
            last[0] = body == null ? "" : body;
            return ok.test(last[0]);
        });
        return last[0];
    }

    /** The Prometheus text format: the name of every sample line, and each family's {@code # TYPE}. */
    private record Exposition(Set<String> samples, Map<String, String> types) {
        static Exposition parse(String text) {
            Set<String> samples = new TreeSet<>();
            Map<String, String> types = new HashMap<>();
            for (String line : text.split("\n")) {
                if (line.startsWith("# TYPE ")) {
                    String[] parts = line.split(" ");
                    types.put(parts[2], parts[3]);
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    samples.add(line.split("[{ ]", 2)[0]);
                }
            }
            return new Exposition(samples, types);
        }
    }

    /** A sample's value, by name and exactly these labels; NaN when there is no such sample. */
    private static double value(String exposition, String name, Map<String, String> labels) {
        Pattern line = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{([^}]*)})? (\\S+)$");
        Matcher m = line.matcher(exposition);
        while (m.find()) {
            Map<String, String> found = new HashMap<>();
            if (m.group(1) != null) {
                Matcher pair = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
                while (pair.find()) {
                    found.put(pair.group(1), pair.group(2));
                }
            }
            if (found.equals(labels)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }
}
