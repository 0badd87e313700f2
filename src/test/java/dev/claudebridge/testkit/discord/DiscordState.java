package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The fake guild: channels, threads, messages, reactions, commands. Every method runs under this object's
 * monitor: operations are tiny and in memory, and one lock keeps gateway sequence numbers in the order the
 * changes happened. Refusals are thrown as {@link DiscordError}s; the REST layer renders them.
 */
final class DiscordState {
    private static final Set<Integer> ARCHIVE_DURATIONS = Set.of(60, 1440, 4320, 10080);
    private static final int KEPT_FLAGS = 4 | 64 | 4096;

    /** The attachments' host before the server has a port (unit tests of the state alone). */
    static final String NO_CDN = "https://cdn.fake.invalid";

    final FakeIds ids;
    final Snowflakes snowflakes = new Snowflakes();
    /** Where attachments are served: the fake's own {@code http://127.0.0.1:PORT}, as Discord's CDN. */
    volatile String cdn = NO_CDN;
    private final AtomicReference<FakeDiscordSettings> settings;
    private final Map<String, StoredChannel> channels = new LinkedHashMap<>();
    private final Map<String, StoredMessage> messages = new LinkedHashMap<>();
    private final List<PresenceUpdate> presences = new ArrayList<>();
    private final List<Ping> pings = new ArrayList<>();
    private final Map<String, JsonNode> commands = new LinkedHashMap<>();
    private final Sinks.Many<Change> changes = Sinks.many().replay().limit(10_000);
    private Consumer<Dispatch> dispatcher = dispatch -> { };

    DiscordState(FakeIds ids, FakeDiscordSettings initial) {
        this.ids = ids;
        this.settings = new AtomicReference<>(initial);
        Instant now = now();
        channels.put(ids.mainChannelId(), StoredChannel.text(ids.mainChannelId(), "general", 0, now));
        channels.put(ids.otherChannelId(), StoredChannel.text(ids.otherChannelId(), "random", 1, now));
    }

    synchronized void dispatchTo(Consumer<Dispatch> gateway) {
        this.dispatcher = gateway;
    }

    FakeDiscordSettings settings() {
        return settings.get();
    }

    void updateSettings(java.util.function.UnaryOperator<FakeDiscordSettings> change) {
        settings.updateAndGet(change);
    }

    Instant now() {
        return settings.get().clock().instant();
    }

    Flux<Change> changes() {
        return changes.asFlux();
    }

    /** Called with the lock held, so emissions are serialized and in order. */
    void emit(Change change) {
        changes.tryEmitNext(change);
    }

    void dispatch(Dispatch dispatch) {
        dispatcher.accept(dispatch);
    }

    // ---- lookups ----

    StoredChannel channel(String id) {
        StoredChannel channel = channels.get(id);
        if (channel == null) {
            throw DiscordError.unknownChannel();
        }
        return channel;
    }

    StoredMessage message(String channelId, String messageId) {
        StoredMessage message = messages.get(messageId);
        if (message == null || message.deleted || !message.channelId.equals(channelId)) {
            throw DiscordError.unknownMessage();
        }
        return message;
    }

    Optional<StoredMessage> messageById(String messageId) {
        return Optional.ofNullable(messages.get(messageId));
    }

    synchronized ObjectNode channelJson(String id) {
        return Payloads.channel(channel(id), ids);
    }

    synchronized ObjectNode messageJson(String channelId, String messageId) {
        return Payloads.message(message(channelId, messageId), ids);
    }

    synchronized ArrayNode listMessages(String channelId, int limit, String before, String after) {
        channel(channelId);
        List<StoredMessage> visible = messages.values().stream()
                .filter(m -> m.channelId.equals(channelId) && !m.deleted && (m.flags & 64) == 0)
                .filter(m -> before == null || Long.parseLong(m.id) < Long.parseLong(before))
                .filter(m -> after == null || Long.parseLong(m.id) > Long.parseLong(after))
                .toList();
        // Discord returns the page nearest to the cursor, newest first.
        List<StoredMessage> page = after != null ? visible.subList(0, Math.min(limit, visible.size()))
                : visible.subList(Math.max(0, visible.size() - limit), visible.size());
        ArrayNode result = Json.array();
        for (int i = page.size() - 1; i >= 0; i--) {
            result.add(Payloads.message(page.get(i), ids));
        }
        return result;
    }

    // ---- messages ----

    /** Creates a message (by the bot or a user), dispatches MESSAGE_CREATE unless ephemeral, and records it. */
    StoredMessage post(String channelId, Author author, int type, JsonNode body, List<Attachment> files) {
        return register(compose(channelId, author, type, body, files));
    }

    /** Validates and builds a message without publishing it, so callers can link it (e.g. to an interaction). */
    StoredMessage compose(String channelId, Author author, int type, JsonNode body, List<Attachment> files) {
        StoredChannel channel = channel(channelId);
        MessageValidator.validate(body, true, !files.isEmpty());
        wakeThreadForPost(channel);
        StoredMessage message = new StoredMessage(snowflakes.next(), channelId, author, type, now());
        message.cdn = cdn;
        message.content = Optional.ofNullable(Json.text(body, "content")).orElse("");
        message.embeds = Json.orEmptyArray(body.get("embeds"));
        message.components = Json.orEmptyArray(body.get("components"));
        message.flags = body.path("flags").asInt(0) & KEPT_FLAGS;
        message.attachments.addAll(files);
        JsonNode allowed = body.get("allowed_mentions");
        message.allowedMentions = allowed == null || allowed.isNull() ? null : allowed.deepCopy();
        JsonNode reference = body.get("message_reference");
        if (reference != null && !reference.isNull()) {
            message.messageReference = reference.deepCopy();
        }
        return message;
    }

    /** Stores a composed message, records its pings, and announces it. */
    StoredMessage register(StoredMessage message) {
        StoredChannel channel = channel(message.channelId);
        messages.put(message.id, message);
        channel.lastMessageId = message.id;
        channel.messageCount++;
        if (message.author.bot()) {
            recordPings(message);
        }
        announceCreated(message, channel);
        return message;
    }

    void announceCreated(StoredMessage message, StoredChannel channel) {
        if ((message.flags & 64) == 0) {
            ObjectNode data = Payloads.messageDispatch(message, ids, channel.type);
            boolean visibleToBot = message.author.bot() || message.content.contains("<@" + ids.botId() + ">")
                    || message.content.contains("<@!" + ids.botId() + ">");
            dispatch(visibleToBot ? Dispatch.of("MESSAGE_CREATE", data, Dispatch.GUILD_MESSAGES)
                    : Dispatch.gatedMessage("MESSAGE_CREATE", data));
        }
        emit(new Change.MessageCreated(message.view()));
    }

    /** Sending into an archived, unlocked thread unarchives it, as on Discord. */
    private void wakeThreadForPost(StoredChannel channel) {
        if (channel.isThread() && channel.archived) {
            if (channel.locked) {
                throw DiscordError.of(400, 50083, "Thread is archived");
            }
            setArchived(channel, false);
        }
    }

    /** An edit by the bot through REST: checks authorship, archive state and the one-hour rule, then applies. */
    StoredMessage editByBot(StoredMessage message, JsonNode body, List<Attachment> files) {
        if (!message.author.bot()) {
            throw DiscordError.of(403, 50005, "Cannot edit a message authored by another user");
        }
        StoredChannel channel = channel(message.channelId);
        if (channel.isThread() && channel.archived) {
            throw DiscordError.of(400, 50083, "Thread is archived");
        }
        MessageValidator.validate(body, false, !files.isEmpty());
        FakeDiscordSettings current = settings();
        if (Duration.between(message.createdAt, now()).compareTo(current.oldMessageAge()) > 0) {
            if (message.editsWhileOld >= current.oldMessageEditsAllowed()) {
                throw DiscordError.of(400, 30046,
                        "Maximum number of edits to messages older than 1 hour reached. Try again later.");
            }
            message.editsWhileOld++;
        }
        return applyEdit(message, body, files);
    }

    /** Applies the fields present in {@code body}, records the edit, dispatches MESSAGE_UPDATE. */
    StoredMessage applyEdit(StoredMessage message, JsonNode body, List<Attachment> files) {
        if (body.has("content")) {
            message.content = Optional.ofNullable(Json.text(body, "content")).orElse("");
        }
        if (body.has("embeds")) {
            message.embeds = Json.orEmptyArray(body.get("embeds"));
        }
        if (body.has("components")) {
            message.components = Json.orEmptyArray(body.get("components"));
        }
        if (body.hasNonNull("flags")) {
            message.flags = (message.flags & ~4) | (body.get("flags").asInt() & 4);
        }
        if (body.hasNonNull("allowed_mentions")) {
            message.allowedMentions = body.get("allowed_mentions").deepCopy();
        }
        if (body.has("attachments")) {
            Set<String> kept = new java.util.HashSet<>(body.get("attachments").findValuesAsText("id"));
            message.attachments.removeIf(a -> !kept.contains(a.id()));
        }
        message.attachments.addAll(files);
        message.flags &= ~128;
        message.editedAt = now();
        JsonNode allowed = body.get("allowed_mentions");
        message.edits.add(new MessageEdit(message.editedAt, message.content, message.embeds.deepCopy(),
                message.components.deepCopy(),
                allowed == null || allowed.isNull() ? Optional.empty() : Optional.of(allowed.deepCopy())));
        if ((message.flags & 64) == 0) {
            dispatch(Dispatch.of("MESSAGE_UPDATE", Payloads.messageDispatch(message, ids,
                    channel(message.channelId).type), Dispatch.GUILD_MESSAGES));
        }
        emit(new Change.MessageEdited(message.view()));
        return message;
    }

    void delete(StoredMessage message) {
        message.deleted = true;
        if ((message.flags & 64) == 0) {
            ObjectNode data = Json.object().put("id", message.id).put("channel_id", message.channelId)
                    .put("guild_id", ids.guildId());
            dispatch(Dispatch.of("MESSAGE_DELETE", data, Dispatch.GUILD_MESSAGES));
        }
        emit(new Change.MessageDeleted(message.id, message.channelId));
    }

    private void recordPings(StoredMessage message) {
        JsonNode allowed = message.allowedMentions;
        List<String> parse = allowed == null ? List.of("everyone", "roles", "users")
                : textValues(allowed.path("parse"));
        List<String> allowedRoles = allowed == null ? List.of() : textValues(allowed.path("roles"));
        for (String mention : List.of("@everyone", "@here")) {
            if (message.content.contains(mention) && parse.contains("everyone")) {
                addPing(message, mention);
            }
        }
        for (String role : Payloads.roleMentions(message.content)) {
            if (parse.contains("roles") || allowedRoles.contains(role)) {
                addPing(message, "<@&" + role + ">");
            }
        }
    }

    private static List<String> textValues(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private void addPing(StoredMessage message, String mention) {
        Ping ping = new Ping(now(), message.id, message.channelId, mention);
        pings.add(ping);
        emit(new Change.PingRecorded(ping));
    }

    // ---- REST: messages, reactions ----

    synchronized ObjectNode createMessage(String channelId, JsonNode body, List<Attachment> files) {
        return Payloads.message(post(channelId, Author.BOT, body.has("message_reference") ? 19 : 0, body, files),
                ids);
    }

    synchronized ObjectNode editMessage(String channelId, String messageId, JsonNode body, List<Attachment> files) {
        return Payloads.message(editByBot(message(channelId, messageId), body, files), ids);
    }

    synchronized void deleteMessage(String channelId, String messageId) {
        delete(message(channelId, messageId));
    }

    synchronized void react(String channelId, String messageId, String emoji, String userId, boolean add) {
        StoredMessage message = message(channelId, messageId);
        StoredChannel channel = channel(channelId);
        if (channel.isThread() && channel.archived) {
            throw DiscordError.of(400, 50083, "Thread is archived");
        }
        List<String> users = message.reactions.computeIfAbsent(emoji, e -> new ArrayList<>());
        boolean changed = add ? !users.contains(userId) && users.add(userId) : users.remove(userId);
        if (users.isEmpty()) {
            message.reactions.remove(emoji);
        }
        if (!changed) {
            return;
        }
        ObjectNode data = Json.object().put("user_id", userId).put("channel_id", channelId)
                .put("message_id", messageId).put("guild_id", ids.guildId());
        data.set("emoji", emojiJson(emoji));
        data.put("burst", false).put("type", 0);
        if (add) {
            data.set("member", Payloads.memberWithUser(Author.byId(userId)));
        }
        dispatch(Dispatch.of(add ? "MESSAGE_REACTION_ADD" : "MESSAGE_REACTION_REMOVE", data,
                Dispatch.GUILD_MESSAGE_REACTIONS));
        emit(add ? new Change.ReactionAdded(messageId, channelId, userId, emoji)
                : new Change.ReactionRemoved(messageId, channelId, userId, emoji));
    }

    private static ObjectNode emojiJson(String emoji) {
        int colon = emoji.indexOf(':');
        ObjectNode json = Json.object();
        if (colon < 0) {
            return json.putNull("id").put("name", emoji);
        }
        return json.put("id", emoji.substring(colon + 1)).put("name", emoji.substring(0, colon));
    }

    // ---- threads ----

    synchronized ObjectNode startThread(String channelId, String messageId, JsonNode body) {
        StoredChannel parent = channel(channelId);
        if (parent.isThread()) {
            throw DiscordError.of(400, 50024, "Cannot execute action on this channel type");
        }
        String name = Optional.ofNullable(Json.text(body, "name")).orElse("");
        if (name.isEmpty() || MessageValidator.codePoints(name) > 100) {
            throw DiscordError.badLength("name", 1, 100);
        }
        int duration = body.path("auto_archive_duration").asInt(1440);
        if (!ARCHIVE_DURATIONS.contains(duration)) {
            throw DiscordError.invalidForm("auto_archive_duration", "BASE_TYPE_CHOICES",
                    "Value must be one of {60, 1440, 4320, 10080}.");
        }
        StoredMessage starter = null;
        if (messageId != null) {
            starter = message(channelId, messageId);
            if (starter.hasThread) {
                throw DiscordError.of(400, 160004, "A thread has already been created for this message");
            }
        }
        int type = starter != null ? 11 : body.path("type").asInt(12);
        String id = starter != null ? starter.id : snowflakes.next();
        StoredChannel thread = StoredChannel.thread(id, type, name, channelId, ids.botId(), duration, now());
        channels.put(id, thread);
        ObjectNode created = Payloads.channel(thread, ids);
        created.put("newly_created", true);
        dispatch(Dispatch.of("THREAD_CREATE", created, Dispatch.GUILDS));
        if (starter != null) {
            starter.hasThread = true;
            ObjectNode update = Payloads.messageDispatch(starter, ids, parent.type);
            update.set("thread", Payloads.channel(thread, ids));
            dispatch(Dispatch.of("MESSAGE_UPDATE", update, Dispatch.GUILD_MESSAGES));
        }
        emit(new Change.ThreadCreated(thread.view()));
        return Payloads.channel(thread, ids);
    }

    synchronized ObjectNode modifyChannel(String channelId, JsonNode body) {
        StoredChannel channel = channel(channelId);
        if (body.hasNonNull("name")) {
            channel.name = body.get("name").asText();
        }
        if (!channel.isThread()) {
            dispatch(Dispatch.of("CHANNEL_UPDATE", Payloads.channel(channel, ids), Dispatch.GUILDS));
            return Payloads.channel(channel, ids);
        }
        if (body.hasNonNull("auto_archive_duration")) {
            channel.autoArchiveDuration = body.get("auto_archive_duration").asInt();
        }
        if (body.hasNonNull("locked")) {
            channel.locked = body.get("locked").asBoolean();
        }
        if (body.hasNonNull("archived") && body.get("archived").asBoolean() != channel.archived) {
            setArchived(channel, body.get("archived").asBoolean());
        } else {
            announceThreadUpdate(channel);
        }
        return Payloads.channel(channel, ids);
    }

    /** Archives or unarchives a thread and dispatches THREAD_UPDATE (also used for the injected archive). */
    void setArchived(StoredChannel thread, boolean archived) {
        thread.archived = archived;
        thread.archiveTimestamp = now();
        announceThreadUpdate(thread);
    }

    private void announceThreadUpdate(StoredChannel thread) {
        dispatch(Dispatch.of("THREAD_UPDATE", Payloads.channel(thread, ids), Dispatch.GUILDS));
        emit(new Change.ThreadUpdated(thread.view()));
    }

    // ---- commands ----

    synchronized ArrayNode overwriteCommands(String guildId, JsonNode body) {
        if (guildId != null && !guildId.equals(ids.guildId())) {
            throw DiscordError.of(404, 10004, "Unknown Guild");
        }
        if (!body.isArray()) {
            throw DiscordError.invalidForm("_root", "BASE_TYPE_ARRAY", "Must be an array.");
        }
        ArrayNode stored = Json.array();
        for (JsonNode command : body) {
            ObjectNode copy = command.deepCopy();
            copy.put("id", snowflakes.next()).put("application_id", ids.applicationId())
                    .put("version", snowflakes.next());
            if (!copy.has("type")) {
                copy.put("type", 1);
            }
            if (guildId != null) {
                copy.put("guild_id", guildId);
            }
            stored.add(copy);
        }
        String key = guildId == null ? "global" : guildId;
        commands.put(key, stored);
        emit(new Change.CommandsOverwritten(key, stored.deepCopy()));
        return stored;
    }

    synchronized ArrayNode commands(String guildId) {
        return (ArrayNode) commands.getOrDefault(guildId == null ? "global" : guildId, Json.array()).deepCopy();
    }

    /** A registered command by name, guild commands first (users can only invoke registered commands). */
    Optional<JsonNode> registeredCommand(String name) {
        for (String key : List.of(ids.guildId(), "global")) {
            for (JsonNode command : commands.getOrDefault(key, Json.array())) {
                if (name.equals(command.path("name").asText())) {
                    return Optional.of(command);
                }
            }
        }
        return Optional.empty();
    }

    // ---- presence ----

    synchronized void recordPresence(JsonNode d) {
        PresenceUpdate presence = new PresenceUpdate(now(), d.path("status").asText("online"),
                Json.orEmptyArray(d.get("activities")));
        presences.add(presence);
        emit(new Change.PresenceUpdated(presence));
    }

    // ---- injection (Java API) ----

    synchronized String userMessage(FakeUser user, String channelId, String content) {
        return userMessage(user, channelId, content, List.of());
    }

    /** A user's message with files, as the client uploads them: each becomes an attachment the CDN serves. */
    synchronized String userMessage(FakeUser user, String channelId, String content, List<UserFile> files) {
        ObjectNode body = Json.object().put("content", content);
        List<Attachment> attachments = files.stream()
                .map(f -> new Attachment(snowflakes.next(), f.filename(), f.contentType(), f.data().clone()))
                .toList();
        return post(channelId, Author.of(user), 0, body, attachments).id;
    }

    /** An attachment of any message, by id (what the CDN serves). */
    synchronized Optional<Attachment> attachment(String id) {
        return messages.values().stream().flatMap(m -> m.attachments.stream()).filter(a -> a.id().equals(id))
                .findFirst();
    }

    synchronized void archiveThread(String threadId) {
        StoredChannel thread = channel(threadId);
        if (!thread.isThread()) {
            throw new IllegalArgumentException(threadId + " is not a thread");
        }
        setArchived(thread, true);
    }

    /** Someone else (a moderator) deletes a message: MESSAGE_DELETE; the fake keeps it, marked deleted. */
    synchronized void deleteMessage(String messageId) {
        StoredMessage message = messages.get(messageId);
        if (message == null) {
            throw new IllegalArgumentException("unknown message " + messageId);
        }
        if (!message.deleted) {
            delete(message);
        }
    }

    synchronized void ageMessage(String messageId, Duration by) {
        StoredMessage message = messages.get(messageId);
        if (message == null) {
            throw new IllegalArgumentException("unknown message " + messageId);
        }
        message.createdAt = message.createdAt.minus(by);
    }

    // ---- reading (Java API) ----

    synchronized List<PostedMessage> messagesIn(String channelId) {
        return messages.values().stream().filter(m -> m.channelId.equals(channelId)).map(StoredMessage::view)
                .toList();
    }

    synchronized List<PostedMessage> allMessages() {
        return messages.values().stream().map(StoredMessage::view).toList();
    }

    synchronized Optional<PostedMessage> find(String messageId) {
        return Optional.ofNullable(messages.get(messageId)).map(StoredMessage::view);
    }

    synchronized List<ThreadView> threads() {
        return channels.values().stream().filter(StoredChannel::isThread).map(StoredChannel::view).toList();
    }

    synchronized List<PresenceUpdate> presences() {
        return List.copyOf(presences);
    }

    synchronized List<Ping> pings() {
        return List.copyOf(pings);
    }

    /** Text channels and active threads, for GUILD_CREATE. */
    synchronized ObjectNode guildCreate() {
        return Payloads.guildCreate(ids, channels.values());
    }

    synchronized ArrayNode guildChannels() {
        ArrayNode list = Json.array();
        channels.values().stream().filter(c -> !c.isThread()).forEach(c -> list.add(Payloads.channel(c, ids)));
        return list;
    }
}
