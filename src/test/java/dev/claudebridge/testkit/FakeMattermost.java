package dev.claudebridge.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudebridge.testkit.mattermost.FakeMattermostSettings;
import dev.claudebridge.testkit.mattermost.MattermostServer;
import dev.claudebridge.testkit.mattermost.MmChannel;
import dev.claudebridge.testkit.mattermost.MmFile;
import dev.claudebridge.testkit.mattermost.MmPost;
import dev.claudebridge.testkit.mattermost.MmUser;
import dev.claudebridge.testkit.mattermost.Ping;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

/**
 * A fake Mattermost (API v4 of server 11) for the bot's Mattermost adapter and for Mattermost's own JavaScript
 * client: the REST subset the bot uses and the WebSocket, on one port of 127.0.0.1, with a team, a channel, a bot
 * account and three people, and a Java API (plus an HTTP control API under {@code /_sim/}) to act as people, read
 * what the bot did and break the WebSocket. docs/fake-mattermost.md describes it all; OfficialClientConformanceTest
 * keeps it honest with the official client.
 *
 * <pre>{@code
 * try (FakeMattermost mm = FakeMattermost.start()) {
 *     String dm = mm.directChannel(mm.bot(), mm.owner()).id();
 *     mm.post(mm.owner(), dm, "!new hello");
 *     MmPost reply = mm.awaitPost(p -> p.userId().equals(mm.bot().id()), Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class FakeMattermost implements AutoCloseable {
    private final MattermostServer server;
    private final MmUser bot;
    private final MmUser owner;
    private final MmUser friend;
    private final MmUser stranger;
    private final String teamId;
    private final MmChannel townSquare;

    private FakeMattermost(MattermostServer server) {
        this.server = server;
        this.bot = server.createUser("claude-bot", "Claude", "", true);
        this.owner = server.createUser("owner", "Olivia", "Owner", false);
        this.friend = server.createUser("friend", "Frank", "Friend", false);
        this.stranger = server.createUser("stranger", "Sam", "Stranger", false);
        this.teamId = server.createTeam("test");
        this.townSquare = server.createChannel(teamId, "town-square",
                Set.of(bot.id(), owner.id(), friend.id(), stranger.id()));
    }

    /** Starts with Mattermost's defaults (rate limiting off, MaxPostSize 16383, no edit time limit). */
    public static FakeMattermost start() {
        return start(FakeMattermostSettings.defaults());
    }

    public static FakeMattermost start(FakeMattermostSettings settings) {
        return new FakeMattermost(MattermostServer.start(settings));
    }

    // ---- where it is

    public int port() {
        return server.port();
    }

    /** The server's URL, as {@code MATTERMOST_URL}: {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public FakeMattermostSettings settings() {
        return server.settings();
    }

    // ---- who and where

    /** The bot account; {@code bot().token()} is its access token. */
    public MmUser bot() {
        return bot;
    }

    public MmUser owner() {
        return owner;
    }

    public MmUser friend() {
        return friend;
    }

    public MmUser stranger() {
        return stranger;
    }

    public String teamId() {
        return teamId;
    }

    /** The team's open channel; everybody is in it. */
    public MmChannel townSquare() {
        return townSquare;
    }

    public MmUser createUser(String username, String firstName, String lastName) {
        return server.createUser(username, firstName, lastName, false);
    }

    public MmChannel createChannel(String name, MmUser... members) {
        return server.createChannel(teamId, name, java.util.Arrays.stream(members).map(MmUser::id)
                .collect(java.util.stream.Collectors.toSet()));
    }

    public MmChannel join(String channelId, MmUser user) {
        return server.join(channelId, user.id());
    }

    /** The direct-message channel of two users, made on first use. */
    public MmChannel directChannel(MmUser a, MmUser b) {
        return server.direct(a.id(), b.id());
    }

    public MmChannel channel(String id) {
        return server.channel(id);
    }

    // ---- acting as people (each is announced on the WebSocket as the server would)

    /** A root post in a channel; returns its id. */
    public String post(MmUser as, String channelId, String message) {
        return server.post(as, channelId, "", message);
    }

    /** A reply in the thread of {@code rootId}; returns its id. */
    public String reply(MmUser as, String rootId, String message) {
        return server.post(as, server.snapshot(rootId).channelId(), rootId, message);
    }

    /**
     * A file a user uploads into a channel ({@code POST /files} as them), not yet in a post; returns its id for
     * {@link #reply(MmUser, String, String, List)}. The server serves it at {@code GET /files/{id}} to the channel's
     * members.
     */
    public String upload(MmUser as, String channelId, String name, String mimeType, byte[] content) {
        return server.upload(as, channelId, name, mimeType, content).id();
    }

    /** A reply with files the author uploaded ({@code file_ids}); the post carries them in {@code metadata.files}. */
    public String reply(MmUser as, String rootId, String message, List<String> fileIds) {
        return server.post(as, server.snapshot(rootId).channelId(), rootId, message, fileIds);
    }

    /** A root post with files the author uploaded. */
    public String post(MmUser as, String channelId, String message, List<String> fileIds) {
        return server.post(as, channelId, "", message, fileIds);
    }

    /** Adds a reaction by emoji name ({@code +1}, {@code white_check_mark}). */
    public void react(MmUser as, String postId, String emojiName) {
        server.react(as, postId, emojiName);
    }

    public void unreact(MmUser as, String postId, String emojiName) {
        server.unreact(as, postId, emojiName);
    }

    /**
     * Clicks an interactive button (or picks {@code selectedOption} in a menu) the way the server does it: the
     * action's context goes to its integration URL, whose answer may update the post. Gives the server's answer.
     */
    public JsonNode click(MmUser as, String postId, String actionId, String selectedOption) {
        return server.click(as, postId, actionId, selectedOption).block(Duration.ofSeconds(15));
    }

    public void deletePost(String postId) {
        server.deletePost(postId);
    }

    /** Makes a post older (for {@code PostEditTimeLimit}). */
    public void agePost(String postId, Duration by) {
        server.agePost(postId, by);
    }

    // ---- the WebSocket

    /** Drops every open WebSocket (no close frame, as a broken network); returns how many. */
    public int dropWebSockets() {
        return server.dropWebSockets(Optional.empty());
    }

    /** Drops one user's WebSockets. */
    public int dropWebSockets(MmUser user) {
        return server.dropWebSockets(Optional.of(user.id()));
    }

    /** Forgets dropped connections, as a server restart does: a reconnect then gets a new connection id. */
    public void forgetDroppedConnections() {
        server.forgetDroppedConnections();
    }

    public int openWebSockets() {
        return server.openWebSockets();
    }

    // ---- what happened

    public MmPost post(String postId) {
        return server.snapshot(postId);
    }

    /** A channel's posts in creation order, replies and deleted ones included. */
    public List<MmPost> posts(String channelId) {
        return server.posts(channelId);
    }

    public List<MmPost> allPosts() {
        return server.allPosts();
    }

    public Optional<MmFile> file(String fileId) {
        return server.file(fileId);
    }

    /** Every mention that would have notified someone. */
    public List<Ping> pings() {
        return server.pings();
    }

    public String status(MmUser user) {
        return server.status(user.id());
    }

    public Optional<JsonNode> customStatus(MmUser user) {
        return server.customStatus(user.id());
    }

    /** Ephemeral posts (an action's {@code ephemeral_text}) in the order they were shown. */
    public List<com.fasterxml.jackson.databind.node.ObjectNode> ephemerals() {
        return server.ephemerals();
    }

    /** Requests by route shape ({@code PUT posts/{id}/patch}). */
    public Map<String, Long> requestCounts() {
        return server.requestCounts();
    }

    /** How many requests got a 429. */
    public long rateLimited() {
        return server.rateLimited();
    }

    /** Waits (polling) for a post that matches; for tests, never on an event loop. */
    public MmPost awaitPost(Predicate<MmPost> matches, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<MmPost> found = allPosts().stream().filter(matches).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Mono.delay(Duration.ofMillis(20)).block();
        }
        throw new AssertionError("no matching post within " + timeout);
    }

    @Override
    public void close() {
        server.close();
    }

    /**
     * Standalone: {@code ./mvnw -q -Prun test-compile -Dmain=dev.claudebridge.testkit.FakeMattermost
     * -Dargs="--port 8065 [--rate-limit]"}. Prints the URL, tokens and ids, then runs until killed.
     */
    public static void main(String[] args) throws InterruptedException {
        FakeMattermostSettings settings = FakeMattermostSettings.defaults();
        for (int i = 0; i < args.length; i++) {
            if ("--port".equals(args[i]) && i + 1 < args.length) {
                settings = settings.withPort(Integer.parseInt(args[++i]));
            } else if ("--rate-limit".equals(args[i])) {
                settings = settings.withRateLimit(FakeMattermostSettings.RateLimit.serverDefaults());
            } else {
                System.err.println("usage: FakeMattermost [--port N] [--rate-limit]");
                System.exit(2);
            }
        }
        FakeMattermost mm = start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(mm::close, "fake-mattermost-stop"));
        System.out.println(mm.banner());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** What a standalone start prints: everything needed to point a bot or a client at this fake. */
    public String banner() {
        return String.join(System.lineSeparator(),
                "=== Fake Mattermost ready ===",
                "MATTERMOST_URL=" + url(),
                "MATTERMOST_TOKEN=" + bot.token(),
                "bot user id:      " + bot.id() + " (@" + bot.username() + ")",
                "team id:          " + teamId,
                "town-square id:   " + townSquare.id(),
                "users (id token): owner " + owner.id() + " " + owner.token()
                        + ", friend " + friend.id() + " " + friend.token()
                        + ", stranger " + stranger.id() + " " + stranger.token(),
                "rate limiting:    " + (settings().rateLimit().enabled() ? "on" : "off"),
                "control API:      " + url() + "/_sim/info (see docs/fake-mattermost.md)",
                "=============================");
    }
}
