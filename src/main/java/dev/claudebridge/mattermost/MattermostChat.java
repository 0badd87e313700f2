package dev.claudebridge.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.Markup;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The core's chat platform on Mattermost's REST API v4. A session's thread is a root post: its id is the thread's
 * id, and posting "in" it is a reply ({@code root_id}). Messages are escaped so that they notify nobody
 * ({@link NoPings}); buttons and menus are interactive message attachments that call the bot's callback URL, when
 * one is configured. Limits come from the server: the post size from {@code MaxPostSize}, the edit window from
 * {@code PostEditTimeLimit}, the request pace from its rate-limit headers.
 */
public final class MattermostChat implements ChatPlatform {
    private static final Logger log = LoggerFactory.getLogger(MattermostChat.class);
    /** Mattermost's own fallback when a server does not say its {@code MaxPostSize} (older schemas). */
    static final int FALLBACK_POST_SIZE = 4000;
    /** Mattermost sets no count on a menu's options (only the post's props size); more than this is unusable. */
    static final int MAX_SELECT_OPTIONS = 100;
    /** "No edit time limit" ({@code PostEditTimeLimit = -1}), as a window no live reply reaches. */
    static final Duration UNLIMITED = Duration.ofDays(3650);
    /** Mattermost's default {@code MaxFileSize}: 100 MiB. */
    static final long DEFAULT_MAX_FILE_SIZE = 100L << 20;

    /**
     * The prop that marks a root post the bot opened as a session's thread (its title), as opposed to a user's
     * message that a thread was started from.
     */
    static final String THREAD_TITLE = "bridge_thread_title";

    /** Where interactive actions call back, and the secret each action's context carries. */
    public record Callback(String url, String secret) {
    }

    private final MattermostApi api;
    private final String botId;
    private final int pageLimit;
    private final Duration editWindow;
    private final long uploadLimit;
    private final Optional<Callback> callback;
    private final EditPacing pacing;
    private final Markup markup;
    /** Thread or channel id to where a post goes; learned once per id. */
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private final Map<String, String> displayNames = new ConcurrentHashMap<>();
    /** Without a callback URL: what each reaction on a post with controls means. */
    private final ReactionControls reactions = new ReactionControls();

    /** Where a post goes: a channel, and the root post of a thread in it (empty for the channel itself). */
    private record Target(String channelId, String rootId) {
    }

    private MattermostChat(MattermostApi api, String botId, String siteUrl, int pageLimit, Duration editWindow,
            long uploadLimit, Optional<Callback> callback, Optional<Duration> editInterval, Clock clock) {
        this.api = api;
        this.botId = botId;
        this.pageLimit = pageLimit;
        this.editWindow = editWindow;
        this.uploadLimit = uploadLimit;
        this.callback = callback;
        this.pacing = new EditPacing(clock, api.budget(), editInterval);
        this.markup = new MattermostMarkup(clock, siteUrl, id -> Optional.ofNullable(displayNames.get(id)));
    }

    /**
     * Reads who the bot is ({@code GET /users/me}) and the server's limits ({@code GET /config/client?format=old};
     * "old" is the only format servers before 11 answer, and 11 still does).
     *
     * @param serverUrl {@code MATTERMOST_URL}, without {@code /api/v4}
     * @param token     the bot account's access token
     */
    public static Mono<MattermostChat> connect(HttpClient http, String serverUrl, String token,
            Optional<Callback> callback, Clock clock) {
        return connect(http, serverUrl, token, callback, Optional.empty(), clock);
    }

    /** @param editInterval {@code EDIT_INTERVAL} when fixed; empty: adaptive ({@link EditPacing}) */
    public static Mono<MattermostChat> connect(HttpClient http, String serverUrl, String token,
            Optional<Callback> callback, Optional<Duration> editInterval, Clock clock) {
        MattermostApi api = new MattermostApi(http, serverUrl, token, new RateBudget(clock));
        return Mono.zip(api.get("/users/me"), api.get("/config/client?format=old"))
                .map(t -> {
                    JsonNode me = t.getT1();
                    JsonNode config = t.getT2();
                    String site = config.path("SiteURL").asText("");
                    return new MattermostChat(api, me.path("id").asText(), site.isEmpty() ? serverUrl : site,
                            postSize(config), editWindow(config), uploadLimit(config), callback, editInterval,
                            clock);
                });
    }

    private static int postSize(JsonNode config) {
        try {
            return Integer.parseInt(config.path("MaxPostSize").asText(""));
        } catch (NumberFormatException e) {
            return FALLBACK_POST_SIZE;
        }
    }

    /** The server's {@code MaxFileSize} (bytes); Mattermost's own default, 100 MiB, when it does not say. */
    static long uploadLimit(JsonNode config) {
        try {
            long max = Long.parseLong(config.path("MaxFileSize").asText(""));
            return max > 0 ? max : DEFAULT_MAX_FILE_SIZE;
        } catch (NumberFormatException e) {
            return DEFAULT_MAX_FILE_SIZE;
        }
    }

    @Override
    public long uploadLimit() {
        return uploadLimit;
    }

    /**
     * {@code PostEditTimeLimit} seconds, less a tenth (at most 5 minutes) so a live reply moves on in time; -1 is
     * no limit.
     */
    static Duration editWindow(JsonNode config) {
        long seconds;
        try {
            seconds = Long.parseLong(config.path("PostEditTimeLimit").asText("-1"));
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds <= 0) {
            return UNLIMITED;
        }
        Duration limit = Duration.ofSeconds(seconds);
        Duration margin = limit.dividedBy(10);
        return limit.minus(margin.compareTo(Duration.ofMinutes(5)) > 0 ? Duration.ofMinutes(5) : margin);
    }

    /** The bot account's user id. */
    public String botId() {
        return botId;
    }

    MattermostApi api() {
        return api;
    }

    /** Whether controls are buttons and menus (a callback URL is set) or reactions. */
    boolean buttons() {
        return callback.isPresent();
    }

    /** What a reaction means on a post whose controls are reactions. */
    Optional<ReactionControls.Choice> reactionChoice(String postId, String emojiName) {
        return reactions.choice(postId, emojiName);
    }

    /**
     * A post's controls answered: its buttons or its reaction legend go (so it cannot be answered twice), its text
     * replaced when given, else kept.
     */
    Mono<Void> closeControls(String postId, Optional<String> text) {
        Optional<String> original = reactions.forget(postId);
        ObjectNode patch = MattermostApi.JSON.createObjectNode();
        text.or(() -> original).ifPresent(t -> patch.put("message", NoPings.escape(t, pageLimit)));
        patch.putObject("props");
        return api.put("/posts/" + postId + "/patch", patch).then();
    }

    /** The bot's status ({@code online}, {@code away}, {@code dnd}) and custom status text. */
    Mono<Void> presence(String status, String text) {
        ObjectNode body = MattermostApi.JSON.createObjectNode();
        body.put("user_id", botId);
        body.put("status", status);
        ObjectNode custom = MattermostApi.JSON.createObjectNode();
        custom.put("emoji", "");
        custom.put("text", text.length() > 100 ? text.substring(0, 99) + "…" : text);
        return api.put("/users/" + botId + "/status", body)
                .then(api.put("/users/me/status/custom", custom)).then();
    }

    /** Learns a user's display name (for {@link Markup#mention}) from {@code GET /users/{id}}. */
    public Mono<String> learnUser(String userId) {
        return api.get("/users/" + userId).map(MattermostChat::displayName)
                .doOnNext(name -> displayNames.put(userId, name));
    }

    /**
     * Learns the display names of these users in one {@code POST /users/ids} (at start: the owners of restored
     * sessions, whose names the bot would otherwise learn only when they post again, and the allowed users).
     */
    Mono<Void> learnUsers(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return Mono.empty();
        }
        ArrayNode ids = MattermostApi.JSON.createArrayNode();
        userIds.forEach(ids::add);
        return api.post("/users/ids", ids)
                .doOnNext(users -> users.forEach(u -> displayNames.put(u.path("id").asText(), displayName(u))))
                .then();
    }

    boolean knowsUser(String userId) {
        return displayNames.containsKey(userId);
    }

    /** A user's display name as the inbound side already read it. */
    public void rememberUser(String userId, String displayName) {
        displayNames.put(userId, displayName);
    }

    private static String displayName(JsonNode user) {
        String full = (user.path("first_name").asText("") + " " + user.path("last_name").asText("")).trim();
        if (!full.isEmpty()) {
            return full;
        }
        String nickname = user.path("nickname").asText("");
        return nickname.isEmpty() ? user.path("username").asText("") : nickname;
    }

    @Override
    public String platform() {
        return "mattermost";
    }

    @Override
    public Markup markup() {
        return markup;
    }

    /** Without a callback URL a page keeps room for its reaction legend. */
    @Override
    public int pageLimit() {
        return callback.isPresent() ? pageLimit : Math.max(pageLimit / 2, pageLimit - LEGEND_ROOM);
    }

    /** What a reaction legend may take of a post: ten choices of 100 characters, their emoji and the header. */
    static final int LEGEND_ROOM = 1400;

    @Override
    public Duration editWindow() {
        return editWindow;
    }

    @Override
    public int maxSelectOptions() {
        return MAX_SELECT_OPTIONS;
    }

    /**
     * A thread is a root post. From the user's message, when given, that message's thread is the session's (it
     * heads the thread); else a new root post with the title opens it (marked with {@link #THREAD_TITLE}).
     */
    @Override
    public Mono<String> openThread(String parentChannelId, String title, Optional<String> fromMessageId) {
        if (fromMessageId.isPresent()) {
            return target(fromMessageId.get()).map(t -> {
                String root = t.rootId().isEmpty() ? fromMessageId.get() : t.rootId();
                targets.put(root, new Target(t.channelId(), root));
                return root;
            });
        }
        return target(parentChannelId)
                .flatMap(t -> {
                    ObjectNode body = postBody(t.channelId(), "", title, List.of(), List.of());
                    ((ObjectNode) body.path("props")).put(THREAD_TITLE, title);
                    return api.post("/posts", body);
                })
                .map(post -> {
                    String id = post.path("id").asText();
                    targets.put(id, new Target(post.path("channel_id").asText(), id));
                    return id;
                });
    }

    @Override
    public Mono<String> post(String channelId, OutgoingMessage message) {
        Optional<ReactionControls.Legend> legend = legend(message.rows());
        String text = legend.map(l -> ReactionControls.withLegend(message.text(), l)).orElse(message.text());
        return target(channelId).flatMap(t -> upload(t.channelId(), message.files())
                .flatMap(files -> api.post("/posts",
                        postBody(t.channelId(), t.rootId(), text, message.rows(), files))))
                .map(post -> post.path("id").asText())
                .doOnNext(id -> legend.ifPresent(l -> {
                    reactions.remember(id, message.text(), l);
                    if (l.offer()) {
                        offer(channelId, id, l);
                    }
                }));
    }

    private Optional<ReactionControls.Legend> legend(List<ComponentRow> rows) {
        return callback.isPresent() || rows.isEmpty() ? Optional.empty() : ReactionControls.legend(rows);
    }

    /** The bot reacts with each answer first, so the owner answers with one click; in the background, in order. */
    private void offer(String channelId, String postId, ReactionControls.Legend legend) {
        Flux.fromIterable(legend.choices().keySet())
                .concatMap(emoji -> react(channelId, postId, emoji))
                .subscribe(null, e -> log.atDebug().addKeyValue("thread", channelId)
                        .log("offering reactions on {} failed: {}", postId, e.toString()));
    }

    @Override
    public Mono<Void> editSlot(String channelId) {
        return pacing.slot(channelId);
    }

    /**
     * Patches the post's message and attachments. A post that cannot be edited for good (deleted, past the edit
     * time limit, not the bot's) gets its text posted anew in the same place, so it is never lost.
     */
    @Override
    public Mono<String> edit(String channelId, String messageId, OutgoingMessage message) {
        Optional<ReactionControls.Legend> legend = legend(message.rows());
        if (legend.isPresent()) {
            reactions.remember(messageId, message.text(), legend.get());
        } else {
            reactions.forget(messageId);
        }
        ObjectNode patch = MattermostApi.JSON.createObjectNode();
        patch.put("message", NoPings.escape(legend.map(l -> ReactionControls.withLegend(message.text(), l))
                .orElse(message.text()), pageLimit));
        patch.set("props", props(message.rows()));
        return api.put("/posts/" + messageId + "/patch", patch)
                .doOnNext(ignored -> pacing.edited(channelId))
                .thenReturn(messageId)
                .onErrorResume(MattermostApiException.class, e -> {
                    if (!e.clientError()) {
                        return Mono.error(e);
                    }
                    log.atWarn().addKeyValue("thread", channelId)
                            .log("edit of {} failed ({} {}); posting the text anew", messageId, e.status(), e.errorId());
                    return post(channelId, message);
                });
    }

    /** The session's root post (the bot's, opened by {@link #openThread}) says the session ended. */
    @Override
    public Mono<Void> markEnded(String threadId, String text) {
        ObjectNode patch = MattermostApi.JSON.createObjectNode();
        patch.put("message", NoPings.escape(text, pageLimit));
        return api.put("/posts/" + threadId + "/patch", patch).then();
    }

    @Override
    public Mono<Void> react(String channelId, String messageId, String emoji) {
        return Mono.fromCallable(() -> Emoji.name(emoji)).flatMap(name -> {
            ObjectNode body = MattermostApi.JSON.createObjectNode();
            body.put("user_id", botId);
            body.put("post_id", messageId);
            body.put("emoji_name", name);
            return api.post("/reactions", body);
        }).then();
    }

    @Override
    public Mono<Void> unreact(String channelId, String messageId, String emoji) {
        return Mono.fromCallable(() -> Emoji.name(emoji))
                .flatMap(name -> api.delete("/users/" + botId + "/posts/" + messageId + "/reactions/" + name))
                .then();
    }

    /**
     * Whether an id is a thread (a post: its channel, and its root) or a channel. Learned once: a post id answers
     * {@code GET /posts/{id}}, a channel id is not found there.
     */
    private Mono<Target> target(String id) {
        Target known = targets.get(id);
        if (known != null) {
            return Mono.just(known);
        }
        return api.get("/posts/" + id)
                .map(post -> {
                    String root = post.path("root_id").asText("");
                    return new Target(post.path("channel_id").asText(), root.isEmpty() ? id : root);
                })
                .onErrorResume(MattermostApiException.class, e -> e.status() == 404
                        ? Mono.just(new Target(id, "")) : Mono.error(e))
                .doOnNext(t -> targets.put(id, t));
    }

    private Mono<List<String>> upload(String channelId, List<Attachment> files) {
        if (files.isEmpty()) {
            return Mono.just(List.of());
        }
        return api.upload(channelId, files.stream()
                .map(f -> new MattermostApi.Upload(f.fileName(), f.content())).toList());
    }

    private ObjectNode postBody(String channelId, String rootId, String text, List<ComponentRow> rows,
            List<String> fileIds) {
        ObjectNode body = MattermostApi.JSON.createObjectNode();
        body.put("channel_id", channelId);
        body.put("root_id", rootId);
        body.put("message", NoPings.escape(text, pageLimit));
        if (!fileIds.isEmpty()) {
            ArrayNode ids = body.putArray("file_ids");
            fileIds.forEach(ids::add);
        }
        body.set("props", props(rows));
        return body;
    }

    /**
     * The post's props: the rows as interactive attachments when there is a callback URL. Without one a button
     * could not reach the bot, so none is shown (the inbound side offers reactions instead).
     */
    private ObjectNode props(List<ComponentRow> rows) {
        if (rows.isEmpty()) {
            return MattermostApi.JSON.createObjectNode();
        }
        if (callback.isEmpty()) {
            log.debug("no callback URL: {} component rows left out", rows.size());
            return MattermostApi.JSON.createObjectNode();
        }
        return Attachments.props(rows, callback.get().url(), callback.get().secret());
    }
}
