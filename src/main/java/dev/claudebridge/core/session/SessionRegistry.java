package dev.claudebridge.core.session;

import dev.claudebridge.core.port.AgentRuntime;
import dev.claudebridge.core.port.ChatPlatform;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** Every session of the bot by thread id, and the stream of presence changes made from their states. */
public final class SessionRegistry {

    private final AgentRuntime runtime;
    private final ChatPlatform chat;
    private final SessionSettings settings;
    private final Clock clock;
    private final Map<String, ThreadSession> sessions = new ConcurrentHashMap<>();
    private final Sinks.Many<Presence> presence = Sinks.many().replay().latest();

    public SessionRegistry(AgentRuntime runtime, ChatPlatform chat, SessionSettings settings, Clock clock) {
        this.runtime = runtime;
        this.chat = chat;
        this.settings = settings;
        this.clock = clock;
        publishPresence();
    }

    public SessionSettings settings() {
        return settings;
    }

    /** Registers a new session for a thread that was just created. */
    public ThreadSession create(String threadId, String title, String parentChannelId, String ownerId, Path workDir,
            Optional<String> model) {
        ThreadSession session = new ThreadSession(new ThreadSession.Identity(threadId, title, parentChannelId, ownerId,
                workDir, model, clock.instant()), runtime, chat, settings, clock, s -> publishPresence());
        sessions.put(threadId, session);
        publishPresence();
        return session;
    }

    public Optional<ThreadSession> get(String threadId) {
        return Optional.ofNullable(sessions.get(threadId));
    }

    /** The user's sessions, most recently active first. */
    public List<ThreadSession> of(String userId) {
        return sessions.values().stream()
                .filter(s -> s.identity().ownerId().equals(userId))
                .sorted(Comparator.comparing(ThreadSession::lastActivity).reversed())
                .toList();
    }

    public List<ThreadSession> activeOf(String userId) {
        return of(userId).stream().filter(s -> s.state().active()).toList();
    }

    public List<ThreadSession> all() {
        return List.copyOf(sessions.values());
    }

    /** The presence each time it may have changed (consumers keep only changes and pace them). */
    public Flux<Presence> presence() {
        return presence.asFlux();
    }

    private void publishPresence() {
        Presence now = Presence.of(sessions.values().stream().map(ThreadSession::state).toList());
        synchronized (presence) {
            presence.tryEmitNext(now); // serialized: state changes come from many threads
        }
    }
}
