package dev.claudebridge.discord;

import discord4j.common.ReactorResources;
import discord4j.rest.http.client.ClientException;
import discord4j.rest.request.DiscordWebRequest;
import discord4j.rest.response.ResponseFunction;
import discord4j.rest.route.Routes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Function;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * Meters of the bot's Discord REST traffic, tagged by Discord4J's route template (for example
 * {@code /channels/{channel.id}/messages/{message.id}}), never by a concrete URI with ids in it (STYLE.md P15).
 *
 * <ul>
 *   <li>{@code bridge.discord.requests{method,route,status}}: each request's final answer, after Discord4J's own
 *       retries (a response transformer sees only that one);</li>
 *   <li>{@code bridge.discord.edits{status}}: the final answers to message edits, the live replies' traffic;</li>
 *   <li>{@code bridge.discord.rate.limited{method,route,scope}}: every 429 received, including those Discord4J waited
 *       out and retried. Its router retries a 429 before any transformer sees it, so these are counted on the HTTP
 *       client; the transformer puts the route template into the Reactor context that the client's response
 *       carries.</li>
 * </ul>
 */
final class RestMetrics {

    private static final String ROUTE = "claude-bridge.route";
    private static final String EDIT = Routes.MESSAGE_EDIT.getUriTemplate();
    private static final Pattern ID_SEGMENT = Pattern.compile("/\\d+(?=/|$)");

    private final MeterRegistry registry;

    RestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Discord4J's default HTTP client, with the 429 counter and Reactor Netty's client meters. */
    ReactorResources resources() {
        HttpClient client = ReactorResources.DEFAULT_HTTP_CLIENT.get()
                .metrics(true, RestMetrics::uriTemplate)
                .doOnResponse((response, connection) -> {
                    if (response.status().code() == 429) {
                        rateLimited(response);
                    }
                });
        return ReactorResources.builder().httpClient(client).build();
    }

    /** The transformer to register with {@code DiscordClientBuilder.onClientResponse}. */
    ResponseFunction responseFunction() {
        return new ResponseFunction() {
            @Override
            public Function<Mono<discord4j.rest.http.client.ClientResponse>,
                    Mono<discord4j.rest.http.client.ClientResponse>> transform(DiscordWebRequest request) {
                String method = request.getRoute().getMethod().name();
                String route = request.getRoute().getUriTemplate();
                boolean edit = method.equals("PATCH") && route.equals(EDIT);
                return mono -> mono
                        .doOnNext(response -> answered(method, route, edit,
                                String.valueOf(response.getHttpResponse().status().code())))
                        .doOnError(e -> answered(method, route, edit, e instanceof ClientException c
                                ? String.valueOf(c.getStatus().code()) : "IO_ERROR"))
                        .contextWrite(ctx -> ctx.put(ROUTE, new Route(method, route)));
            }
        };
    }

    private void answered(String method, String route, boolean edit, String status) {
        Counter.builder("bridge.discord.requests").tag("method", method).tag("route", route).tag("status", status)
                .description("Discord REST requests by final status").register(registry).increment();
        if (edit) {
            Counter.builder("bridge.discord.edits").tag("status", status)
                    .description("Message edits sent to Discord by final status").register(registry).increment();
        }
    }

    private void rateLimited(HttpClientResponse response) {
        Route route = response.currentContextView().getOrDefault(ROUTE, new Route(response.method().name(),
                uriTemplate(response.path())));
        String scope = response.responseHeaders().get("X-RateLimit-Scope", "none");
        Counter.builder("bridge.discord.rate.limited").tag("method", route.method()).tag("route", route.template())
                .tag("scope", scope.equals("user") || scope.equals("global") || scope.equals("shared") ? scope
                        : "other")
                .description("HTTP 429 answers received from Discord (each one, retried or not)")
                .register(registry).increment();
    }

    /** A URI as a template: the query dropped, every all-digits path segment (a snowflake) replaced by {id}. */
    static String uriTemplate(String uri) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        return ID_SEGMENT.matcher(path).replaceAll("/{id}");
    }

    private record Route(String method, String template) {
    }
}
