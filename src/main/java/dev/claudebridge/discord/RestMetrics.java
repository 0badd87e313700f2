package dev.claudebridge.discord;

import discord4j.common.ReactorResources;
import discord4j.rest.request.DiscordWebRequest;
import discord4j.rest.response.ResponseFunction;
import discord4j.rest.route.Routes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * Meters of the bot's Discord REST traffic, tagged by Discord4J's route template (for example
 * {@code /channels/{channel.id}/messages/{message.id}}), never by a concrete URI with ids in it (docs/architecture.md, style P15).
 *
 * <ul>
 *   <li>{@code bridge.discord.requests{method,route,status}}: every HTTP answer received, so a 429 that Discord4J
 *       waited out and retried counts once as 429 and once more with the retry's status;</li>
 *   <li>{@code bridge.discord.edits{status}}: the answers to message edits, the live replies' traffic;</li>
 *   <li>{@code bridge.discord.rate.limited{method,route,scope}}: the 429s among them.</li>
 * </ul>
 *
 * <p>Why on the HTTP client and not in a response transformer: Discord4J's router retries a 429 before any
 * transformer sees it, and it applies the transformers a second time when a body is read, so a transformer sees
 * neither every answer nor each one once. The transformer only puts the route template into the Reactor context,
 * which the HTTP client's response carries.
 */
final class RestMetrics {

    private static final String ROUTE = "claude-bridge.route";
    private static final String EDIT = "PATCH " + Routes.MESSAGE_EDIT.getUriTemplate();

    private final MeterRegistry registry;

    RestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Discord4J's default HTTP client, with the answer counters and Reactor Netty's client meters. */
    ReactorResources resources() {
        HttpClient client = ReactorResources.DEFAULT_HTTP_CLIENT.get()
                .metrics(true, RestMetrics::uriTemplate)
                .doOnResponse((response, connection) -> answered(response));
        return ReactorResources.builder().httpClient(client).build();
    }

    /** The transformer to register with {@code DiscordClientBuilder.onClientResponse}: it names the route. */
    ResponseFunction responseFunction() {
        return new ResponseFunction() {
            @Override
            public Function<Mono<discord4j.rest.http.client.ClientResponse>,
                    Mono<discord4j.rest.http.client.ClientResponse>> transform(DiscordWebRequest request) {
                Route route = new Route(request.getRoute().getMethod().name(), request.getRoute().getUriTemplate());
                return mono -> mono.contextWrite(ctx -> ctx.put(ROUTE, route));
            }
        };
    }

    private void answered(HttpClientResponse response) {
        Route route = response.currentContextView().getOrDefault(ROUTE, new Route(response.method().name(),
                uriTemplate(response.path())));
        String status = String.valueOf(response.status().code());
        Counter.builder("bridge.discord.requests").tag("method", route.method()).tag("route", route.template())
                .tag("status", status)
                .description("HTTP answers from Discord's REST API (each attempt)").register(registry).increment();
        if ((route.method() + " " + route.template()).equals(EDIT)) {
            Counter.builder("bridge.discord.edits").tag("status", status)
                    .description("Message edits sent to Discord, by answer").register(registry).increment();
        }
        if (response.status().code() == 429) {
            rateLimited(response, route);
        }
    }

    private void rateLimited(HttpClientResponse response, Route route) {
        String scope = response.responseHeaders().get("X-RateLimit-Scope", "none");
        Counter.builder("bridge.discord.rate.limited").tag("method", route.method()).tag("route", route.template())
                .tag("scope", scope.equals("user") || scope.equals("global") || scope.equals("shared") ? scope
                        : "other")
                .description("HTTP 429 answers received from Discord (each one, retried or not)")
                .register(registry).increment();
    }

    /**
     * A URI as a route template, the query dropped ({@link RouteTemplates}): ids and tokens both become placeholders.
     * Reactor Netty tags its client meters with it, and an interaction's token is in its URL.
     */
    static String uriTemplate(String uri) {
        return RouteTemplates.of(uri);
    }

    private record Route(String method, String template) {
    }
}
