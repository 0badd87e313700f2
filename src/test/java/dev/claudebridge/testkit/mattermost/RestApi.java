package dev.claudebridge.testkit.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The REST v4 subset the bot uses, checked as the server checks it: a bearer token (401 without), the rate limiter
 * when enabled (its headers on every answer, 429 with the server's plain-text body), and each route's own rules in
 * {@link MmState}. Answers are {@code application/json} exactly (the official client parses only that).
 */
final class RestApi {
    private final MmState state;
    private final Actions actions;
    private final Optional<RateLimiter> limiter;
    private final boolean varyByUser;
    private final AtomicLong requestIds = new AtomicLong();
    private final Map<String, Long> counts = new ConcurrentHashMap<>();
    private final AtomicLong limited = new AtomicLong();
    private volatile String siteUrl = "";

    RestApi(MmState state, Actions actions) {
        this.state = state;
        this.actions = actions;
        FakeMattermostSettings.RateLimit rl = state.settings().rateLimit();
        this.limiter = rl.enabled() ? Optional.of(new RateLimiter(rl.perSec(), rl.maxBurst())) : Optional.empty();
        this.varyByUser = rl.varyByUser();
    }

    void siteUrl(String url) {
        this.siteUrl = url;
    }

    Map<String, Long> counts() {
        return Map.copyOf(counts);
    }

    long limited() {
        return limited.get();
    }

    Mono<Void> serve(HttpServerRequest request, HttpServerResponse response) {
        String requestId = MmIds.next();
        response.header("X-Request-Id", requestId).header("X-Version-Id", Hub.SERVER_VERSION);
        Optional<String> token = bearer(request);
        if (limiter.isPresent()) {
            String key = varyByUser && token.isPresent() ? token.get()
                    : String.valueOf(request.remoteAddress() == null ? "" : request.remoteAddress().getAddress());
            RateLimiter.Result r = limiter.get().take(key, System.nanoTime() / 1000);
            response.header("X-Ratelimit-Limit", String.valueOf(r.limit()))
                    .header("X-Ratelimit-Remaining", String.valueOf(r.remaining()))
                    .header("X-Ratelimit-Reset", String.valueOf((r.resetAfterMillis() + 999) / 1000));
            if (r.limited()) {
                limited.incrementAndGet();
                response.header("Retry-After", String.valueOf((r.retryAfterMillis() + 999) / 1000));
                return response.status(429)
                        .header("Content-Type", "text/plain; charset=utf-8")
                        .header("X-Content-Type-Options", "nosniff")
                        .sendString(Mono.just("limit exceeded\n")).then();
            }
        }
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
                .flatMap(body -> route(request, token, body))
                .onErrorResume(MmError.class, e -> Mono.just(new Answer(e.status, e.body(requestId))))
                .flatMap(answer -> answer.raw != null
                        ? response.status(answer.status).header("Content-Type", answer.contentType)
                                .sendByteArray(Mono.just(answer.raw)).then()
                        : response.status(answer.status).header("Content-Type", "application/json")
                                .sendString(Mono.just(MmJson.write(answer.body))).then());
    }

    /** A status and a JSON body, or raw bytes (a file). */
    private record Answer(int status, JsonNode body, byte[] raw, String contentType) {
        Answer(int status, JsonNode body) {
            this(status, body, null, null);
        }
    }

    private static Optional<String> bearer(HttpServerRequest request) {
        String h = request.requestHeaders().get("Authorization");
        if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(h.substring(7).trim());
        }
        if (h != null && h.regionMatches(true, 0, "Token ", 0, 6)) {
            return Optional.of(h.substring(6).trim());
        }
        return Optional.empty();
    }

    private Mono<Answer> route(HttpServerRequest request, Optional<String> token, byte[] body) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String[] p = uri.rawPath().substring("/api/v4/".length()).split("/");
        String method = request.method().name();
        String routeKey = method + " " + shape(p);
        counts.merge(routeKey, 1L, Long::sum);
        if (method.equals("GET") && p.length == 2 && p[0].equals("config") && p[1].equals("client")) {
            return Mono.just(config(param(uri, "format")));
        }
        if (method.equals("GET") && p.length == 2 && p[0].equals("system") && p[1].equals("ping")) {
            ObjectNode ok = MmJson.object();
            ok.put("status", "OK");
            return Mono.just(new Answer(200, ok));
        }
        MmUser me = token.flatMap(state::userByToken).orElseThrow(MmError::unauthorized);
        return switch (routeKey) {
            case "GET users/me" -> ok(MmState.userJson(me));
            case "GET users/{id}" -> ok(MmState.userJson(user(p[1])));
            case "GET users/username/{id}" -> ok(MmState.userJson(state.userByName(p[2]).orElseThrow(
                    () -> MmError.notFound("GetUserByUsername", "app.user.get_by_username.app_error",
                            "Unable to find an existing account matching your username for this team."))));
            case "POST users/usernames" -> {
                ArrayNode out = MmJson.array();
                for (JsonNode name : MmJson.parse(body, "getUsersByNames")) {
                    state.userByName(name.asText()).ifPresent(u -> out.add(MmState.userJson(u)));
                }
                yield ok(out);
            }
            // Unknown ids are left out, as the real server does.
            case "POST users/ids" -> {
                ArrayNode out = MmJson.array();
                for (JsonNode id : MmJson.parse(body, "getUsersByIds")) {
                    state.user(id.asText()).ifPresent(u -> out.add(MmState.userJson(u)));
                }
                yield ok(out);
            }
            // Only one's own teams (the server wants manage_system for another user's); others are asked per team.
            case "GET users/{id}/teams" -> {
                if (!p[1].equals("me") && !p[1].equals(me.id())) {
                    throw MmError.forbidden();
                }
                yield ok(state.teamsOf(me.id()));
            }
            case "GET teams/{id}/members/{id}" -> {
                if (!state.inTeam(p[1], me.id())) {
                    throw MmError.forbidden();
                }
                if (!state.inTeam(p[1], p[3])) {
                    throw MmError.notFound("GetTeamMember", "app.team.get_member.missing.app_error",
                            "No team member found for that user ID and team ID.");
                }
                yield ok(state.teamMemberJson(p[1], p[3]));
            }
            case "PUT users/{id}/status" -> {
                JsonNode in = MmJson.parse(body, "updateUserStatus");
                String userId = p[1].equals("me") ? me.id() : p[1];
                if (!userId.equals(me.id()) || !in.path("user_id").asText(userId).equals(userId)) {
                    throw MmError.forbidden();
                }
                yield ok(state.setStatus(userId, in.path("status").asText("")));
            }
            case "GET users/{id}/status" -> ok(state.statusJson(p[1].equals("me") ? me.id() : user(p[1]).id()));
            case "PUT users/{id}/status/custom" -> {
                if (!p[1].equals("me") && !p[1].equals(me.id())) {
                    throw MmError.forbidden();
                }
                JsonNode in = MmJson.parse(body, "updateUserCustomStatus");
                if (!in.isObject() || in.path("text").asText("").codePointCount(0, in.path("text").asText("").length()) > 100) {
                    throw MmError.badRequest("updateUserCustomStatus", "api.custom_status.set_custom_statuses.update.app_error",
                            "Failed to update the custom status.");
                }
                state.setCustomStatus(me.id(), in);
                yield okStatus();
            }
            case "DELETE users/{id}/posts/{id}/reactions/{id}" -> {
                if (!p[1].equals(me.id()) && !p[1].equals("me")) {
                    throw MmError.forbidden();
                }
                state.unreact(me.id(), p[3], decode(p[5]));
                yield okStatus();
            }
            case "POST posts" -> {
                JsonNode in = MmJson.parse(body, "createPost");
                List<String> fileIds = new ArrayList<>();
                in.path("file_ids").forEach(f -> fileIds.add(f.asText()));
                ObjectNode props = in.path("props").isObject() ? (ObjectNode) in.path("props") : MmJson.object();
                String channelId = in.path("channel_id").asText("");
                if (!MmIds.valid(channelId)) {
                    throw MmError.invalidParam("post.channel_id");
                }
                yield Mono.just(new Answer(201, state.create(me.id(), channelId, in.path("root_id").asText(""),
                        in.path("message").asText(""), props, fileIds)));
            }
            case "GET posts/{id}" -> ok(state.postJson(p[1]));
            case "PUT posts/{id}/patch" -> {
                JsonNode in = MmJson.parse(body, "patchPost");
                Optional<String> message = in.has("message") ? Optional.of(in.path("message").asText())
                        : Optional.empty();
                Optional<ObjectNode> props = in.path("props").isObject() ? Optional.of((ObjectNode) in.path("props"))
                        : Optional.empty();
                yield ok(state.patch(me.id(), p[1], message, props));
            }
            case "GET posts/{id}/thread" -> ok(state.thread(p[1]));
            case "POST posts/{id}/actions/{id}" -> {
                JsonNode in = MmJson.parse(body, "doPostAction");
                yield actions.click(me, p[1], decode(p[3]), in.path("selected_option").asText(""))
                        .map(r -> new Answer(200, r));
            }
            case "GET channels/{id}" -> {
                MmChannel c = state.channel(p[1]);
                if (!c.members().contains(me.id())) {
                    throw MmError.forbidden();
                }
                yield ok(MmState.channelJson(c));
            }
            case "GET channels/{id}/posts" -> {
                MmChannel c = state.channel(p[1]);
                if (!c.members().contains(me.id())) {
                    throw MmError.forbidden();
                }
                String since = param(uri, "since");
                if (!since.isEmpty()) {
                    yield ok(state.since(c.id(), parseLong(since, "since")));
                }
                String page = param(uri, "page");
                String perPage = param(uri, "per_page");
                yield ok(state.page(c.id(), page.isEmpty() ? 0 : (int) parseLong(page, "page"),
                        perPage.isEmpty() ? 60 : (int) Math.min(200, parseLong(perPage, "per_page"))));
            }
            case "POST channels/direct" -> {
                JsonNode in = MmJson.parse(body, "createDirectChannel");
                if (!in.isArray() || in.size() != 2) {
                    throw MmError.invalidParam("user_ids");
                }
                String a = in.get(0).asText();
                String b = in.get(1).asText();
                if (!a.equals(me.id()) && !b.equals(me.id())) {
                    throw MmError.forbidden();
                }
                yield Mono.just(new Answer(201, MmState.channelJson(state.direct(a, b))));
            }
            case "POST reactions" -> {
                JsonNode in = MmJson.parse(body, "saveReaction");
                if (!in.path("user_id").asText().equals(me.id())) {
                    throw MmError.forbidden();
                }
                yield ok(state.react(me.id(), in.path("post_id").asText(), in.path("emoji_name").asText("")));
            }
            case "POST files" -> {
                List<Multipart.Part> parts = Multipart.parse(request.requestHeaders().get("Content-Type"), body);
                String channelId = param(uri, "channel_id");
                for (Multipart.Part part : parts) {
                    if (part.filename() == null && part.name().equals("channel_id")) {
                        channelId = part.text();
                    }
                }
                if (!MmIds.valid(channelId)) {
                    throw MmError.invalidParam("channel_id");
                }
                ObjectNode out = MmJson.object();
                ArrayNode infos = out.putArray("file_infos");
                out.putArray("client_ids");
                for (Multipart.Part part : parts) {
                    // app/file.go: a file over FileSettings.MaxFileSize is refused with 413.
                    if (part.filename() != null && part.data().length > state.settings().maxFileSize()) {
                        throw new MmError(413, "uploadFiles", "api.file.upload_file.too_large_detailed.app_error",
                                "Unable to upload file. File is too large.");
                    }
                }
                for (Multipart.Part part : parts) {
                    if (part.filename() != null) {
                        infos.add(MmState.fileInfo(state.upload(me.id(), channelId, part.filename(),
                                part.contentType(), part.data())));
                    }
                }
                if (infos.isEmpty()) {
                    throw MmError.badRequest("uploadFiles", "api.file.upload_file.incorrect_number_of_files.app_error",
                            "Unable to upload files. Incorrect number of files specified.");
                }
                yield Mono.just(new Answer(201, out));
            }
            case "GET files/{id}" -> {
                MmFile f = state.file(p[1]).orElseThrow(() -> MmError.notFound("getFile",
                        "app.file_info.get.app_error", "Unable to get the file info."));
                // api4/file.go: the file's channel must be one the caller may read.
                if (!state.channel(f.channelId()).members().contains(me.id())) {
                    throw MmError.forbidden();
                }
                yield Mono.just(new Answer(200, null, f.content(), f.mimeType()));
            }
            default -> throw MmError.notFound("ServeHTTP", "api.context.404.app_error", "Sorry, we could not find the page.");
        };
    }

    private MmUser user(String id) {
        return state.user(id).orElseThrow(() -> MmError.notFound("GetUser", "app.user.missing_account.const",
                "Unable to find the user."));
    }

    private Answer config(String format) {
        if (!format.equals("old")) {
            throw new MmError(501, "getClientConfig", "api.config.client.old_format.app_error",
                    "New format for the client configuration is not supported yet. Please specify format=old in the query string.");
        }
        FakeMattermostSettings s = state.settings();
        ObjectNode c = MmJson.object();
        c.put("Version", "11.0.0");
        c.put("BuildNumber", "fake");
        c.put("SiteURL", siteUrl);
        c.put("SiteName", "Fake Mattermost");
        c.put("MaxPostSize", String.valueOf(s.maxPostSize()));
        c.put("PostEditTimeLimit", String.valueOf(s.postEditTimeLimit()));
        c.put("AllowEditPost", "always");
        c.put("MaxFileSize", String.valueOf(s.maxFileSize()));
        c.put("EnableCustomEmoji", "false");
        c.put("ExperimentalEnablePostMetadata", "true");
        return new Answer(200, c);
    }

    private static Mono<Answer> ok(JsonNode body) {
        return Mono.just(new Answer(200, body));
    }

    private static Mono<Answer> okStatus() {
        ObjectNode ok = MmJson.object();
        ok.put("status", "OK");
        return ok(ok);
    }

    private static String param(QueryStringDecoder uri, String name) {
        List<String> v = uri.parameters().get(name);
        return v == null || v.isEmpty() ? "" : v.get(0);
    }

    private static long parseLong(String v, String name) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw MmError.invalidParam(name);
        }
    }

    private static String decode(String segment) {
        return QueryStringDecoder.decodeComponent(segment, StandardCharsets.UTF_8);
    }

    private static final java.util.Set<String> WORDS = java.util.Set.of("me", "status", "custom", "posts",
            "reactions", "patch", "thread", "actions", "direct", "usernames", "username", "ids", "teams",
            "members");

    /** The route's shape: fixed words kept, ids and names as {@code {id}}; {@code users/me/...} as {@code users/{id}/...}. */
    private static String shape(String[] p) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            out.add(i == 0 || WORDS.contains(p[i]) ? p[i] : "{id}");
        }
        String s = String.join("/", out);
        return s.startsWith("users/me/") ? "users/{id}/" + s.substring("users/me/".length()) : s;
    }
}
