package dev.claudebridge.testkit.discord;

import static dev.claudebridge.testkit.discord.RouteTable.Kind.BOT;
import static dev.claudebridge.testkit.discord.RouteTable.Kind.INTERACTION;
import static dev.claudebridge.testkit.discord.RouteTable.Kind.MESSAGE_CREATE;
import static dev.claudebridge.testkit.discord.RouteTable.Kind.MESSAGE_EDIT;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Discord's REST API v10, the part the bot uses. Every request goes through the same steps: count, fault
 * latency and 500s, the global limit, the route's bucket, then the handler; refusals carry Discord's bodies.
 */
final class RestApi {
    private static final String PREFIX = "/api/v10";

    private final DiscordState state;
    private final Interactions interactions;
    private final RateLimits limits = new RateLimits();
    private final Faults faults;
    private final RequestStats stats;
    private final String token;
    private final RouteTable routes = new RouteTable();
    private volatile String gatewayUrl = "";

    RestApi(DiscordState state, Interactions interactions, Faults faults, RequestStats stats, String token) {
        this.state = state;
        this.interactions = interactions;
        this.faults = faults;
        this.stats = stats;
        this.token = token;
        registerRoutes();
    }

    void gatewayUrl(String url) {
        this.gatewayUrl = url;
    }

    static boolean handles(String path) {
        return path.startsWith(PREFIX + "/");
    }

    Mono<Void> serve(HttpServerRequest request, HttpServerResponse response) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String[] segments = Arrays.stream(RouteTable.split(uri.rawPath().substring(PREFIX.length())))
                .map(QueryStringDecoder::decodeComponent).toArray(String[]::new);
        String method = request.method().name();
        String contentType = request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE);
        String authorization = request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
                .flatMap(body -> routes.match(method, segments)
                        .map(match -> process(match, uri.parameters(), contentType, authorization, body))
                        .orElseGet(() -> {
                            stats.request(method + " (unknown route)");
                            return Mono.just(RestResult.error(DiscordError.notFound()));
                        }))
                .flatMap(result -> write(response, result));
    }

    private Mono<RestResult> process(RouteTable.Match match, Map<String, List<String>> query, String contentType,
                                     String authorization, byte[] body) {
        RouteTable.Route route = match.route();
        stats.request(route.key());
        Duration latency = faults.latencyOf(route.key());
        Mono<RestResult> result = Mono.fromSupplier(() -> guarded(match, query, contentType, authorization, body));
        return latency.isZero() ? result : Mono.delay(latency).then(result);
    }

    private RestResult guarded(RouteTable.Match match, Map<String, List<String>> query, String contentType,
                               String authorization, byte[] body) {
        RouteTable.Route route = match.route();
        if (route.kind() != INTERACTION && !("Bot " + token).equals(authorization)) {
            return RestResult.error(DiscordError.unauthorized());
        }
        if (faults.shouldFail(route.key())) {
            return new RestResult(500, Json.object().put("message", "500: Internal Server Error").put("code", 0),
                    Map.of());
        }
        FakeDiscordSettings settings = state.settings();
        if (route.kind() != INTERACTION) {
            RateLimits.Outcome global = limits.acquireGlobal(settings.globalPerSecond(), state.now());
            if (!global.allowed()) {
                return refused(route, global, true);
            }
        }
        Optional<RateLimits.Outcome> bucket = bucket(route, match.params(), settings);
        if (bucket.isPresent() && !bucket.get().allowed()) {
            return refused(route, bucket.get(), false);
        }
        RestResult result = run(route, match.params(), query, contentType, body);
        return bucket.map(outcome -> result.withHeaders(outcome.headers())).orElse(result);
    }

    private RestResult run(RouteTable.Route route, Map<String, String> params, Map<String, List<String>> query,
                           String contentType, byte[] body) {
        try {
            return route.handler().apply(RestCall.of(params, query, contentType, body, state.snowflakes));
        } catch (DiscordError error) {
            return RestResult.error(error);
        }
    }

    private Optional<RateLimits.Outcome> bucket(RouteTable.Route route, Map<String, String> params,
                                                FakeDiscordSettings settings) {
        String channel = params.get("channel.id");
        return switch (route.kind()) {
            case MESSAGE_CREATE -> Optional.of(limits.acquire("create", channel, settings.messageCreate(),
                    state.now()));
            case MESSAGE_EDIT -> Optional.of(limits.acquire("edit", channel, settings.messageEdit(), state.now()));
            default -> Optional.empty();
        };
    }

    private RestResult refused(RouteTable.Route route, RateLimits.Outcome outcome, boolean global) {
        stats.rateLimited(route.key());
        synchronized (state) {
            state.emit(new Change.RateLimited(route.key(), global));
        }
        return new RestResult(429, outcome.refusal(), outcome.headers());
    }

    private static Mono<Void> write(HttpServerResponse response, RestResult result) {
        response.status(result.status());
        result.headers().forEach(response::header);
        if (result.body() == null) {
            return response.send();
        }
        response.header(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return response.sendByteArray(Mono.just(Json.bytes(result.body()))).then();
    }

    // ---- routes ----

    private void registerRoutes() {
        FakeIds ids = state.ids;
        routes.add("GET /gateway", BOT, call -> RestResult.ok(Json.object().put("url", gatewayUrl)))
                .add("GET /gateway/bot", BOT, call -> RestResult.ok(gatewayBot()))
                .add("GET /oauth2/applications/@me", BOT, call -> RestResult.ok(Payloads.applicationInfo(ids)))
                .add("GET /applications/@me", BOT, call -> RestResult.ok(Payloads.applicationInfo(ids)))
                .add("GET /users/@me", BOT, call -> RestResult.ok(Payloads.user(Author.BOT)))
                .add("GET /users/{user.id}", BOT, call -> RestResult.ok(Payloads.user(author(call))))
                .add("GET /guilds/{guild.id}", BOT, call -> RestResult.ok(guild(call)))
                .add("GET /guilds/{guild.id}/channels", BOT, call -> RestResult.ok(state.guildChannels()))
                .add("GET /guilds/{guild.id}/roles", BOT, call -> RestResult.ok(Payloads.roles(ids)))
                .add("GET /guilds/{guild.id}/members/{user.id}", BOT,
                        call -> RestResult.ok(Payloads.memberWithUser(author(call))))
                .add("GET /channels/{channel.id}", BOT,
                        call -> RestResult.ok(state.channelJson(call.param("channel.id"))))
                .add("PATCH /channels/{channel.id}", BOT,
                        call -> RestResult.ok(state.modifyChannel(call.param("channel.id"), call.body())))
                .add("GET /channels/{channel.id}/messages", BOT, call -> RestResult.ok(state.listMessages(
                        call.param("channel.id"), limit(call), call.queryParam("before"), call.queryParam("after"))))
                .add("POST /channels/{channel.id}/messages", MESSAGE_CREATE, call -> RestResult.ok(
                        state.createMessage(call.param("channel.id"), call.body(), call.files())))
                .add("GET /channels/{channel.id}/messages/{message.id}", BOT, call -> RestResult.ok(
                        state.messageJson(call.param("channel.id"), call.param("message.id"))))
                .add("PATCH /channels/{channel.id}/messages/{message.id}", MESSAGE_EDIT, call -> RestResult.ok(
                        state.editMessage(call.param("channel.id"), call.param("message.id"), call.body(),
                                call.files())))
                .add("DELETE /channels/{channel.id}/messages/{message.id}", BOT, call -> {
                    state.deleteMessage(call.param("channel.id"), call.param("message.id"));
                    return RestResult.noContent();
                })
                .add("PUT /channels/{channel.id}/messages/{message.id}/reactions/{emoji}/@me", BOT,
                        call -> react(call, true))
                .add("DELETE /channels/{channel.id}/messages/{message.id}/reactions/{emoji}/@me", BOT,
                        call -> react(call, false))
                .add("POST /channels/{channel.id}/messages/{message.id}/threads", BOT, call -> RestResult.created(
                        state.startThread(call.param("channel.id"), call.param("message.id"), call.body())))
                .add("POST /channels/{channel.id}/threads", BOT, call -> RestResult.created(
                        state.startThread(call.param("channel.id"), null, call.body())))
                .add("PUT /channels/{channel.id}/thread-members/@me", BOT, call -> {
                    state.channelJson(call.param("channel.id"));
                    return RestResult.noContent();
                })
                .add("POST /channels/{channel.id}/typing", BOT, call -> {
                    state.channelJson(call.param("channel.id"));
                    return RestResult.noContent();
                })
                .add("GET /applications/{application.id}/commands", BOT,
                        call -> RestResult.ok(state.commands(null)))
                .add("PUT /applications/{application.id}/commands", BOT,
                        call -> RestResult.ok(state.overwriteCommands(null, call.json())))
                .add("GET /applications/{application.id}/guilds/{guild.id}/commands", BOT,
                        call -> RestResult.ok(state.commands(call.param("guild.id"))))
                .add("PUT /applications/{application.id}/guilds/{guild.id}/commands", BOT,
                        call -> RestResult.ok(state.overwriteCommands(call.param("guild.id"), call.json())))
                .add("POST /interactions/{interaction.id}/{interaction.token}/callback", INTERACTION, call -> {
                    interactions.callback(call.param("interaction.id"), call.param("interaction.token"),
                            call.body());
                    return RestResult.noContent();
                })
                .add("GET /webhooks/{application.id}/{interaction.token}/messages/@original", INTERACTION,
                        call -> RestResult.ok(interactions.getMessage(app(call), token(call), "@original")))
                .add("PATCH /webhooks/{application.id}/{interaction.token}/messages/@original", INTERACTION,
                        call -> RestResult.ok(interactions.editMessage(app(call), token(call), "@original",
                                call.body(), call.files())))
                .add("DELETE /webhooks/{application.id}/{interaction.token}/messages/@original", INTERACTION,
                        call -> {
                            interactions.deleteMessage(app(call), token(call), "@original");
                            return RestResult.noContent();
                        })
                .add("POST /webhooks/{application.id}/{interaction.token}", INTERACTION,
                        call -> RestResult.ok(interactions.followup(app(call), token(call), call.body(),
                                call.files())))
                .add("GET /webhooks/{application.id}/{interaction.token}/messages/{message.id}", INTERACTION,
                        call -> RestResult.ok(interactions.getMessage(app(call), token(call),
                                call.param("message.id"))))
                .add("PATCH /webhooks/{application.id}/{interaction.token}/messages/{message.id}", INTERACTION,
                        call -> RestResult.ok(interactions.editMessage(app(call), token(call),
                                call.param("message.id"), call.body(), call.files())))
                .add("DELETE /webhooks/{application.id}/{interaction.token}/messages/{message.id}", INTERACTION,
                        call -> {
                            interactions.deleteMessage(app(call), token(call), call.param("message.id"));
                            return RestResult.noContent();
                        });
    }

    private ObjectNode gatewayBot() {
        ObjectNode body = Json.object().put("url", gatewayUrl).put("shards", 1);
        body.putObject("session_start_limit").put("total", 1000).put("remaining", 999)
                .put("reset_after", 14_400_000).put("max_concurrency", 1);
        return body;
    }

    private ObjectNode guild(RestCall call) {
        if (!state.ids.guildId().equals(call.param("guild.id"))) {
            throw DiscordError.of(404, 10004, "Unknown Guild");
        }
        return Payloads.guild(state.ids);
    }

    private static Author author(RestCall call) {
        return Payloads.knownAuthor(call.param("user.id")).orElseThrow(() -> DiscordError.of(404, 10013,
                "Unknown User"));
    }

    private RestResult react(RestCall call, boolean add) {
        state.react(call.param("channel.id"), call.param("message.id"), call.param("emoji"), state.ids.botId(), add);
        return RestResult.noContent();
    }

    private static int limit(RestCall call) {
        String limit = call.queryParam("limit");
        int value = limit == null ? 50 : Integer.parseInt(limit);
        if (value < 1 || value > 100) {
            throw DiscordError.invalidForm("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 100.");
        }
        return value;
    }

    private static String app(RestCall call) {
        return call.param("application.id");
    }

    private static String token(RestCall call) {
        return call.param("interaction.token");
    }
}
