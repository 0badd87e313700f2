package dev.claudebridge.testkit.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Everything the fake stores, behind one lock: users, teams, channels, posts, reactions, files, statuses, and the
 * pings the server would have sent. Every change that the server announces on the WebSocket is handed to the hub
 * after the change, still under the lock, so every connection sees events in the order the changes happened.
 */
final class MmState {
    private static final Pattern EMOJI_NAME = Pattern.compile("[a-zA-Z0-9\\-+_]{1,64}");
    private static final int PROPS_MAX_RUNES = 800_000;

    private final FakeMattermostSettings settings;
    private final Consumer<MmEvent> hub;
    private final Map<String, MmUser> users = new LinkedHashMap<>();
    private final Map<String, String> teams = new LinkedHashMap<>(); // id -> name
    private final Map<String, MmChannel> channels = new LinkedHashMap<>();
    private final Map<String, Post> posts = new LinkedHashMap<>();
    private final Map<String, MmFile> files = new LinkedHashMap<>();
    private final Map<String, String> statuses = new HashMap<>();
    private final Map<String, JsonNode> customStatuses = new HashMap<>();
    private final List<Ping> pings = new ArrayList<>();
    private final List<ObjectNode> ephemerals = new ArrayList<>();
    private long lastMillis;

    /** A stored post; mutable, only touched under the state's lock. */
    private static final class Post {
        String id;
        String channelId;
        String rootId;
        String userId;
        String message;
        ObjectNode props;
        List<String> fileIds;
        long createAt;
        long updateAt;
        long editAt;
        long deleteAt;
        int edits;
        final Map<String, Map<String, Long>> reactions = new TreeMap<>(); // emoji -> user -> create_at
    }

    MmState(FakeMattermostSettings settings, Consumer<MmEvent> hub) {
        this.settings = settings;
        this.hub = hub;
    }

    FakeMattermostSettings settings() {
        return settings;
    }

    /** Milliseconds, strictly increasing, so create_at orders posts and {@code since} never misses one. */
    private long now() {
        lastMillis = Math.max(System.currentTimeMillis(), lastMillis + 1);
        return lastMillis;
    }

    // ---- users, teams, channels

    synchronized MmUser createUser(String username, String firstName, String lastName, boolean bot) {
        if (users.values().stream().anyMatch(u -> u.username().equals(username))) {
            throw new IllegalArgumentException("username taken: " + username);
        }
        MmUser user = new MmUser(MmIds.next(), username, firstName, lastName, bot, MmIds.next());
        users.put(user.id(), user);
        statuses.put(user.id(), "offline");
        return user;
    }

    synchronized Optional<MmUser> userByToken(String token) {
        return users.values().stream().filter(u -> u.token().equals(token)).findFirst();
    }

    synchronized Optional<MmUser> user(String id) {
        return Optional.ofNullable(users.get(id));
    }

    synchronized Optional<MmUser> userByName(String username) {
        return users.values().stream().filter(u -> u.username().equals(username)).findFirst();
    }

    synchronized List<MmUser> users() {
        return List.copyOf(users.values());
    }

    synchronized String createTeam(String name) {
        String id = MmIds.next();
        teams.put(id, name);
        return id;
    }

    synchronized MmChannel createChannel(String teamId, String name, String type, Set<String> members) {
        MmChannel c = new MmChannel(MmIds.next(), teamId, type, name, name, members);
        channels.put(c.id(), c);
        return c;
    }

    synchronized MmChannel join(String channelId, String userId) {
        MmChannel c = channel(channelId);
        Set<String> members = new LinkedHashSet<>(c.members());
        members.add(userId);
        MmChannel joined = new MmChannel(c.id(), c.teamId(), c.type(), c.name(), c.displayName(), members);
        channels.put(c.id(), joined);
        return joined;
    }

    /** The direct channel of two users, made on first use ({@code POST /channels/direct}). */
    synchronized MmChannel direct(String a, String b) {
        if (!users.containsKey(a) || !users.containsKey(b)) {
            throw MmError.badRequest("createDirectChannel", "api.channel.create_direct_channel.invalid_user.app_error",
                    "Invalid user ID for direct channel creation.");
        }
        String name = a.compareTo(b) < 0 ? a + "__" + b : b + "__" + a;
        return channels.values().stream().filter(c -> c.type().equals("D") && c.name().equals(name)).findFirst()
                .orElseGet(() -> {
                    MmChannel c = new MmChannel(MmIds.next(), "", "D", name, "", Set.of(a, b));
                    channels.put(c.id(), c);
                    return c;
                });
    }

    synchronized MmChannel channel(String id) {
        MmChannel c = channels.get(id);
        if (c == null) {
            throw MmError.notFound("GetChannel", "app.channel.get.existing.app_error", "Unable to find the existing channel.");
        }
        return c;
    }

    synchronized Optional<MmChannel> findChannel(String id) {
        return Optional.ofNullable(channels.get(id));
    }

    synchronized List<MmChannel> channels() {
        return List.copyOf(channels.values());
    }

    /** A user is in a team when in one of its channels (the fake keeps no separate team membership). */
    synchronized boolean inTeam(String teamId, String userId) {
        return teams.containsKey(teamId) && channels.values().stream()
                .anyMatch(c -> c.teamId().equals(teamId) && c.members().contains(userId));
    }

    synchronized ArrayNode teamsOf(String userId) {
        ArrayNode out = MmJson.array();
        teams.forEach((id, name) -> {
            if (inTeam(id, userId)) {
                ObjectNode t = out.addObject();
                t.put("id", id);
                t.put("name", name);
                t.put("display_name", name);
                t.put("type", "O");
                t.put("delete_at", 0);
            }
        });
        return out;
    }

    synchronized ObjectNode teamMemberJson(String teamId, String userId) {
        ObjectNode o = MmJson.object();
        o.put("team_id", teamId);
        o.put("user_id", userId);
        o.put("roles", "team_user");
        o.put("delete_at", 0);
        o.put("scheme_user", true);
        o.put("scheme_admin", false);
        return o;
    }

    synchronized Optional<String> teamName(String teamId) {
        return Optional.ofNullable(teams.get(teamId));
    }

    // ---- posts

    /**
     * {@code POST /posts}, as {@code api4/post.go} and {@code app/post.go} check it: the author must be in the
     * channel, a root id must name a root post of the same channel, the message must fit {@code MaxPostSize} runes.
     */
    synchronized ObjectNode create(String userId, String channelId, String rootId, String message, ObjectNode props,
            List<String> fileIds) {
        MmChannel channel = channels.get(channelId);
        if (channel == null || !channel.members().contains(userId)) {
            throw MmError.forbidden();
        }
        if (!rootId.isEmpty()) {
            Post root = posts.get(rootId);
            if (root == null || root.deleteAt > 0 || !root.rootId.isEmpty()) {
                throw MmError.badRequest("createPost", "api.post.create_post.root_id.app_error", "Invalid RootId parameter.");
            }
            if (!root.channelId.equals(channelId)) {
                throw MmError.badRequest("createPost", "api.post.create_post.channel_root_id.app_error",
                        "Invalid ChannelId for RootId parameter.");
            }
        }
        validate(message, props);
        Post p = new Post();
        p.id = MmIds.next();
        p.channelId = channelId;
        p.rootId = rootId;
        p.userId = userId;
        p.message = message;
        p.props = withActionIds(props);
        if (users.get(userId).bot()) {
            p.props.put("from_bot", "true"); // app.CreatePost marks a bot's posts
        }
        p.createAt = now();
        p.updateAt = p.createAt;
        p.fileIds = attach(userId, p.id, fileIds);
        posts.put(p.id, p);
        List<String> mentions = record(p, false);
        ObjectNode data = MmJson.object();
        data.put("channel_display_name", channel.displayName());
        data.put("channel_name", channel.name());
        data.put("channel_type", channel.type());
        data.put("post", MmJson.write(json(p, true)));
        data.put("sender_name", "@" + users.get(userId).username());
        data.put("set_online", true);
        data.put("team_id", channel.teamId());
        List<String> mentionedIds = mentions.stream().map(m -> m.substring(1))
                .flatMap(name -> users.values().stream().filter(u -> u.username().equals(name)).map(MmUser::id))
                .filter(channel.members()::contains).distinct().toList();
        if (!mentionedIds.isEmpty()) {
            ArrayNode ids = MmJson.array();
            mentionedIds.forEach(ids::add);
            data.put("mentions", MmJson.write(ids));
        }
        hub.accept(MmEvent.toChannel("posted", data, channelId, channel.members()));
        return json(p, true);
    }

    /**
     * {@code PUT /posts/{id}/patch}: only the author edits here (the bot edits its own posts); past
     * {@code PostEditTimeLimit} a change of message is refused with the server's 400.
     */
    synchronized ObjectNode patch(String userId, String postId, Optional<String> message, Optional<ObjectNode> props) {
        Post p = visible(postId);
        if (!p.userId.equals(userId)) {
            throw MmError.forbidden();
        }
        long limit = settings.postEditTimeLimit();
        if (limit != -1 && System.currentTimeMillis() > p.createAt + limit * 1000
                && message.isPresent() && !message.get().equals(p.message)) {
            throw MmError.badRequest("UpdatePost", "api.post.update_post.permissions_time_limit.app_error",
                    "Post edit is only allowed for " + limit + " seconds. Please ask your System Administrator for details.");
        }
        validate(message.orElse(p.message), props.orElse(p.props));
        message.ifPresent(m -> {
            if (!m.equals(p.message)) {
                p.message = m;
                p.editAt = now();
            }
        });
        props.ifPresent(pr -> p.props = withActionIds(pr));
        p.updateAt = now();
        p.edits++;
        record(p, true);
        ObjectNode data = MmJson.object();
        data.put("post", MmJson.write(json(p, true)));
        MmChannel channel = channels.get(p.channelId);
        hub.accept(MmEvent.toChannel("post_edited", data, p.channelId, channel.members()));
        return json(p, true);
    }

    /** An integration's {@code update} for a post it owns an action of: applied by the server, no time limit. */
    synchronized void integrationUpdate(String postId, Optional<String> message, Optional<ObjectNode> props) {
        Post p = visible(postId);
        message.ifPresent(m -> {
            if (!m.equals(p.message)) {
                p.message = m;
                p.editAt = now();
            }
        });
        props.ifPresent(pr -> p.props = withActionIds(pr));
        p.updateAt = now();
        p.edits++;
        record(p, true);
        ObjectNode data = MmJson.object();
        data.put("post", MmJson.write(json(p, true)));
        hub.accept(MmEvent.toChannel("post_edited", data, p.channelId, channels.get(p.channelId).members()));
    }

    private void validate(String message, JsonNode props) {
        int runes = message.codePointCount(0, message.length());
        if (runes > settings.maxPostSize()) {
            throw MmError.badRequest("Post.IsValid", "model.post.is_valid.message_length.app_error",
                    "Message length is " + runes + " characters, which exceeds the maximum of "
                            + settings.maxPostSize() + ".");
        }
        String json = MmJson.write(props);
        if (json.codePointCount(0, json.length()) > PROPS_MAX_RUNES) {
            throw MmError.badRequest("Post.IsValid", "model.post.is_valid.props.app_error", "Invalid props.");
        }
    }

    /** {@code GenerateActionIds}: an action without an id gets one. */
    private static ObjectNode withActionIds(ObjectNode props) {
        ObjectNode copy = props.deepCopy();
        for (JsonNode attachment : copy.path("attachments")) {
            for (JsonNode action : attachment.path("actions")) {
                if (action instanceof ObjectNode a && a.path("id").asText("").isEmpty()) {
                    a.put("id", MmIds.next());
                }
            }
        }
        return copy;
    }

    /** Files the author uploaded and no post holds yet are attached; others are left out, as the server does. */
    private List<String> attach(String userId, String postId, List<String> fileIds) {
        List<String> attached = new ArrayList<>();
        for (String id : fileIds) {
            MmFile f = files.get(id);
            if (f != null && f.userId().equals(userId) && f.postId().isEmpty()) {
                files.put(id, f.attachedTo(postId));
                attached.add(id);
            }
        }
        return attached;
    }

    private List<String> record(Post p, boolean onEdit) {
        Set<String> names = new TreeSet<>();
        users.values().forEach(u -> names.add(u.username().toLowerCase(java.util.Locale.ROOT)));
        List<String> found = Mentions.find(p.message, names);
        found.forEach(m -> pings.add(new Ping(p.id, m, onEdit)));
        return found;
    }

    private Post visible(String postId) {
        Post p = posts.get(postId);
        if (p == null || p.deleteAt > 0) {
            throw MmError.notFound("GetSinglePost", "app.post.get.app_error", "Unable to get the post.");
        }
        return p;
    }

    synchronized ObjectNode postJson(String postId) {
        return json(visible(postId), true);
    }

    synchronized String channelOf(String postId) {
        return visible(postId).channelId;
    }

    /** Someone deleted the post ({@code post_deleted}); later reads and edits get 404. */
    synchronized void delete(String postId) {
        Post p = visible(postId);
        p.deleteAt = now();
        p.updateAt = p.deleteAt;
        ObjectNode data = MmJson.object();
        data.put("post", MmJson.write(json(p, true)));
        hub.accept(MmEvent.toChannel("post_deleted", data, p.channelId, channels.get(p.channelId).members()));
    }

    /** Moves a post's creation back in time (for the edit time limit). */
    synchronized void age(String postId, long millis) {
        Post p = visible(postId);
        p.createAt -= millis;
    }

    /** {@code GET /posts/{id}/thread}: the root and its replies, newest first in {@code order}. */
    synchronized ObjectNode thread(String postId) {
        Post any = visible(postId);
        String root = any.rootId.isEmpty() ? any.id : any.rootId;
        return postList(posts.values().stream()
                .filter(p -> p.deleteAt == 0 && (p.id.equals(root) || p.rootId.equals(root))).toList());
    }

    /** {@code GET /channels/{id}/posts?since=}: every post of the channel changed after {@code since}. */
    synchronized ObjectNode since(String channelId, long since) {
        return postList(posts.values().stream()
                .filter(p -> p.channelId.equals(channelId) && p.updateAt > since).toList());
    }

    /** {@code GET /channels/{id}/posts}: the latest page of the channel's posts. */
    synchronized ObjectNode page(String channelId, int page, int perPage) {
        List<Post> all = posts.values().stream().filter(p -> p.channelId.equals(channelId) && p.deleteAt == 0)
                .sorted(Comparator.comparingLong((Post p) -> p.createAt).reversed()).toList();
        int from = Math.min(all.size(), page * perPage);
        return postList(all.subList(from, Math.min(all.size(), from + perPage)));
    }

    private ObjectNode postList(List<Post> list) {
        ObjectNode out = MmJson.object();
        ArrayNode order = out.putArray("order");
        ObjectNode byId = out.putObject("posts");
        list.stream().sorted(Comparator.comparingLong((Post p) -> p.createAt).reversed()).forEach(p -> {
            order.add(p.id);
            byId.set(p.id, json(p, true));
        });
        out.put("next_post_id", "");
        out.put("prev_post_id", "");
        out.put("has_next", false);
        out.put("first_inaccessible_post_time", 0);
        return out;
    }

    /** A post as the API returns it; {@code strip}: without the actions' {@code integration}. */
    private ObjectNode json(Post p, boolean strip) {
        ObjectNode o = MmJson.object();
        o.put("id", p.id);
        o.put("create_at", p.createAt);
        o.put("update_at", p.updateAt);
        o.put("edit_at", p.editAt);
        o.put("delete_at", p.deleteAt);
        o.put("is_pinned", false);
        o.put("user_id", p.userId);
        o.put("channel_id", p.channelId);
        o.put("root_id", p.rootId);
        o.put("original_id", "");
        o.put("message", p.message);
        o.put("type", "");
        ObjectNode props = p.props.deepCopy();
        if (strip) {
            for (JsonNode attachment : props.path("attachments")) {
                for (JsonNode action : attachment.path("actions")) {
                    ((ObjectNode) action).remove("integration");
                }
            }
        }
        o.set("props", props);
        o.put("hashtags", "");
        o.put("pending_post_id", "");
        long replies = p.rootId.isEmpty()
                ? posts.values().stream().filter(r -> r.rootId.equals(p.id) && r.deleteAt == 0).count() : 0;
        o.put("reply_count", replies);
        if (!p.fileIds.isEmpty()) {
            ArrayNode ids = o.putArray("file_ids");
            p.fileIds.forEach(ids::add);
        }
        ObjectNode metadata = o.putObject("metadata");
        if (!p.fileIds.isEmpty()) {
            ArrayNode infos = metadata.putArray("files");
            p.fileIds.forEach(id -> infos.add(fileInfo(files.get(id))));
        }
        if (!p.reactions.isEmpty()) {
            o.put("has_reactions", true);
            ArrayNode rs = metadata.putArray("reactions");
            p.reactions.forEach((emoji, who) -> who.forEach((user, at) ->
                    rs.add(reactionJson(user, p.id, emoji, at, p.channelId))));
        }
        return o;
    }

    synchronized MmPost snapshot(String postId) {
        Post p = posts.get(postId);
        if (p == null) {
            throw new java.util.NoSuchElementException("no post " + postId);
        }
        Map<String, Set<String>> reactions = new TreeMap<>();
        p.reactions.forEach((emoji, who) -> reactions.put(emoji, Set.copyOf(who.keySet())));
        return new MmPost(p.id, p.channelId, p.rootId, p.userId, p.message, p.props.deepCopy(), List.copyOf(p.fileIds),
                p.createAt, p.editAt, p.deleteAt, p.edits, reactions);
    }

    synchronized List<MmPost> posts(String channelId) {
        return posts.values().stream().filter(p -> p.channelId.equals(channelId)).map(p -> snapshot(p.id)).toList();
    }

    synchronized List<MmPost> allPosts() {
        return posts.keySet().stream().map(this::snapshot).toList();
    }

    // ---- reactions

    synchronized ObjectNode react(String userId, String postId, String emoji) {
        checkEmoji(emoji);
        Post p = visible(postId);
        if (!channels.get(p.channelId).members().contains(userId)) {
            throw MmError.forbidden();
        }
        long at = now();
        Long before = p.reactions.computeIfAbsent(emoji, e -> new TreeMap<>()).putIfAbsent(userId, at);
        long createdAt = before == null ? at : before;
        ObjectNode reaction = reactionJson(userId, postId, emoji, createdAt, p.channelId);
        if (before == null) {
            ObjectNode data = MmJson.object();
            data.put("reaction", MmJson.write(reaction));
            hub.accept(MmEvent.toChannel("reaction_added", data, p.channelId, channels.get(p.channelId).members()));
        }
        return reaction;
    }

    synchronized void unreact(String userId, String postId, String emoji) {
        checkEmoji(emoji);
        Post p = visible(postId);
        Map<String, Long> who = p.reactions.get(emoji);
        if (who == null || who.remove(userId) == null) {
            return; // the server answers OK for a reaction that is not there
        }
        if (who.isEmpty()) {
            p.reactions.remove(emoji);
        }
        ObjectNode data = MmJson.object();
        data.put("reaction", MmJson.write(reactionJson(userId, postId, emoji, now(), p.channelId)));
        hub.accept(MmEvent.toChannel("reaction_removed", data, p.channelId, channels.get(p.channelId).members()));
    }

    private static void checkEmoji(String emoji) {
        if (!EMOJI_NAME.matcher(emoji).matches()) {
            throw MmError.badRequest("Reaction.IsValid", "model.reaction.is_valid.emoji_name.app_error",
                    "Invalid emoji name.");
        }
    }

    private static ObjectNode reactionJson(String userId, String postId, String emoji, long at, String channelId) {
        ObjectNode r = MmJson.object();
        r.put("user_id", userId);
        r.put("post_id", postId);
        r.put("emoji_name", emoji);
        r.put("create_at", at);
        r.put("update_at", at);
        r.put("delete_at", 0);
        r.put("remote_id", "");
        r.put("channel_id", channelId);
        return r;
    }

    // ---- files

    synchronized MmFile upload(String userId, String channelId, String name, String mimeType, byte[] content) {
        MmChannel channel = channels.get(channelId);
        if (channel == null || !channel.members().contains(userId)) {
            throw MmError.forbidden();
        }
        MmFile f = new MmFile(MmIds.next(), userId, channelId, name, mimeType, content.clone(), "", now());
        files.put(f.id(), f);
        return f;
    }

    synchronized Optional<MmFile> file(String id) {
        return Optional.ofNullable(files.get(id));
    }

    static ObjectNode fileInfo(MmFile f) {
        ObjectNode o = MmJson.object();
        o.put("id", f.id());
        o.put("user_id", f.userId());
        o.put("post_id", f.postId());
        o.put("channel_id", f.channelId());
        o.put("create_at", f.createAt());
        o.put("update_at", f.createAt());
        o.put("delete_at", 0);
        o.put("name", f.name());
        int dot = f.name().lastIndexOf('.');
        o.put("extension", dot < 0 ? "" : f.name().substring(dot + 1).toLowerCase(java.util.Locale.ROOT));
        o.put("size", f.content().length);
        o.put("mime_type", f.mimeType());
        o.put("has_preview_image", false);
        o.put("archived", false);
        return o;
    }

    // ---- status

    synchronized ObjectNode setStatus(String userId, String status) {
        if (!List.of("online", "away", "dnd", "offline").contains(status)) {
            throw MmError.badRequest("updateUserStatus", "api.status.invalid_status.app_error", "Invalid status.");
        }
        statuses.put(userId, status);
        ObjectNode data = MmJson.object();
        data.put("status", status);
        data.put("user_id", userId);
        hub.accept(MmEvent.toUser("status_change", data, userId));
        return statusJson(userId);
    }

    synchronized ObjectNode statusJson(String userId) {
        ObjectNode s = MmJson.object();
        s.put("user_id", userId);
        s.put("status", statuses.getOrDefault(userId, "offline"));
        s.put("manual", true);
        s.put("last_activity_at", lastMillis);
        s.put("active_channel", "");
        s.put("dnd_end_time", 0);
        return s;
    }

    synchronized String status(String userId) {
        return statuses.getOrDefault(userId, "offline");
    }

    synchronized void setCustomStatus(String userId, JsonNode custom) {
        customStatuses.put(userId, custom.deepCopy());
    }

    synchronized Optional<JsonNode> customStatus(String userId) {
        return Optional.ofNullable(customStatuses.get(userId)).map(JsonNode::deepCopy);
    }

    // ---- what the server would have done for people

    synchronized List<Ping> pings() {
        return List.copyOf(pings);
    }

    /** An ephemeral post for one user (an action's {@code ephemeral_text}); never stored as a post. */
    synchronized void ephemeral(String userId, String channelId, String rootId, String message) {
        ObjectNode post = MmJson.object();
        post.put("id", MmIds.next());
        post.put("create_at", now());
        post.put("user_id", users.values().stream().filter(MmUser::bot).map(MmUser::id).findFirst().orElse(""));
        post.put("channel_id", channelId);
        post.put("root_id", rootId);
        post.put("message", message);
        post.put("type", "system_ephemeral");
        ephemerals.add(post);
        ObjectNode data = MmJson.object();
        data.put("post", MmJson.write(post));
        hub.accept(MmEvent.toUser("ephemeral_message", data, userId));
    }

    synchronized List<ObjectNode> ephemerals() {
        return ephemerals.stream().map(ObjectNode::deepCopy).toList();
    }

    /** A user as {@code GET /users/{id}} shows it to another user (no email, no auth data). */
    static ObjectNode userJson(MmUser u) {
        ObjectNode o = MmJson.object();
        o.put("id", u.id());
        o.put("create_at", 0);
        o.put("update_at", 0);
        o.put("delete_at", 0);
        o.put("username", u.username());
        o.put("auth_service", "");
        o.put("email", "");
        o.put("nickname", "");
        o.put("first_name", u.firstName());
        o.put("last_name", u.lastName());
        o.put("position", "");
        o.put("roles", u.bot() ? "system_user" : "system_user");
        o.put("locale", "en");
        o.put("is_bot", u.bot());
        if (u.bot()) {
            o.put("bot_description", "");
        }
        return o;
    }

    static ObjectNode channelJson(MmChannel c) {
        ObjectNode o = MmJson.object();
        o.put("id", c.id());
        o.put("create_at", 0);
        o.put("update_at", 0);
        o.put("delete_at", 0);
        o.put("team_id", c.teamId());
        o.put("type", c.type());
        o.put("display_name", c.displayName());
        o.put("name", c.name());
        o.put("header", "");
        o.put("purpose", "");
        o.put("last_post_at", 0);
        o.put("total_msg_count", 0);
        o.put("creator_id", "");
        return o;
    }

    /** The action of a post by id, with its integration (for a click). */
    synchronized Optional<JsonNode> action(String postId, String actionId) {
        Post p = visible(postId);
        for (JsonNode attachment : p.props.path("attachments")) {
            for (JsonNode action : attachment.path("actions")) {
                if (action.path("id").asText().equals(actionId)) {
                    return Optional.of(action.deepCopy());
                }
            }
        }
        return Optional.empty();
    }
}
