package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * The gateway: HELLO, heartbeats, IDENTIFY, RESUME with replay, dispatches to every session, and the faults
 * (drop, op 7, op 9). Session bookkeeping runs under the state's monitor, so dispatch numbering follows the order
 * of the changes that caused them.
 */
final class Gateway {
    private final DiscordState state;
    private final String token;
    private final Map<String, GatewaySession> sessions = new LinkedHashMap<>();
    private final Set<GatewayConnection> connections = new LinkedHashSet<>();
    private volatile String resumeUrl = "";

    Gateway(DiscordState state, String token) {
        this.state = state;
        this.token = token;
    }

    void resumeUrl(String url) {
        this.resumeUrl = url;
    }

    /** The websocket handler; any path serves (Discord4J reconnects to the resume URL even to IDENTIFY). */
    Mono<Void> serve(WebsocketInbound in, WebsocketOutbound out, String path) {
        GatewayConnection connection = new GatewayConnection(path);
        in.withConnection(netty -> {
            connection.attach(netty);
            netty.addHandlerLast(CloseLatency.NAME, new CloseLatency(Duration.ofMillis(200)));
        });
        opened(connection);
        Mono<Void> inbound = in.aggregateFrames(1 << 20).receiveFrames()
                .ofType(TextWebSocketFrame.class)
                .map(TextWebSocketFrame::text)
                .doOnNext(text -> received(connection, text))
                .then()
                .onErrorResume(e -> Mono.empty())
                .doFinally(signal -> closed(connection));
        Mono<Void> outbound = out.sendObject(connection.frames()).then()
                .then(Mono.defer(() -> connection.closeCode() > 0
                        ? out.sendClose(connection.closeCode(), connection.closeReason())
                        : Mono.empty()));
        return Mono.when(inbound, outbound);
    }

    private void opened(GatewayConnection connection) {
        synchronized (state) {
            connections.add(connection);
        }
        ObjectNode hello = Json.object().put("heartbeat_interval", state.settings().heartbeatInterval().toMillis());
        connection.send(Json.write(Payloads.gatewayPayload(10, hello, null, null)));
    }

    private void closed(GatewayConnection connection) {
        synchronized (state) {
            connections.remove(connection);
            GatewaySession session = connection.session;
            if (session != null && session.connection == connection) {
                session.connection = null;
            }
        }
        connection.release();
    }

    private void received(GatewayConnection connection, String text) {
        JsonNode payload;
        try {
            payload = Json.parse(text);
        } catch (DiscordError e) {
            connection.close(4002, "Error while decoding payload.");
            return;
        }
        JsonNode d = payload.path("d");
        switch (payload.path("op").asInt(-1)) {
            case 1 -> connection.send(Json.write(Payloads.gatewayPayload(11, NullNode.getInstance(), null, null)));
            case 2 -> identify(connection, d);
            case 3 -> state.recordPresence(d);
            case 6 -> resume(connection, d);
            case 4, 8 -> { } // voice state and member requests: nothing the bot uses
            default -> connection.close(4001, "Unknown opcode.");
        }
    }

    private void identify(GatewayConnection connection, JsonNode d) {
        if (!token.equals(d.path("token").asText())) {
            connection.close(4004, "Authentication failed.");
            return;
        }
        synchronized (state) {
            // A client that identifies again has abandoned its old session; do not keep buffering for it.
            sessions.values().removeIf(s -> s.connection == null || s.connection == connection);
            GatewaySession session = new GatewaySession("sess-" + state.snowflakes.next(),
                    d.path("intents").asLong(0));
            sessions.put(session.id, session);
            session.connection = connection;
            connection.session = session;
            session.send("READY", Payloads.ready(state.ids, session.id, resumeUrl));
            session.send("GUILD_CREATE", state.guildCreate());
            if (d.hasNonNull("presence")) {
                state.recordPresence(d.get("presence"));
            }
            state.emit(new Change.GatewayReady(session.id, false, session.intents));
        }
    }

    private void resume(GatewayConnection connection, JsonNode d) {
        if (!token.equals(d.path("token").asText())) {
            connection.close(4004, "Authentication failed.");
            return;
        }
        synchronized (state) {
            GatewaySession session = sessions.get(d.path("session_id").asText());
            int lastSeq = d.path("seq").asInt(0);
            if (session == null || !session.canReplayAfter(lastSeq)) {
                connection.send(Json.write(Payloads.gatewayPayload(9, BooleanNode.FALSE, null, null)));
                return;
            }
            session.connection = connection;
            connection.session = session;
            session.replayAfter(lastSeq, connection);
            session.send("RESUMED", Json.object().set("_trace", Json.array()));
            state.emit(new Change.GatewayReady(session.id, true, session.intents));
        }
    }

    /** Sends one event to every session that wants it; called with the state's lock held. */
    void dispatch(Dispatch dispatch) {
        boolean enforce = state.settings().enforceMessageContent();
        for (GatewaySession session : sessions.values()) {
            if (session.wants(dispatch.intent())) {
                boolean blank = dispatch.withoutContent() != null && enforce
                        && (session.intents & Dispatch.MESSAGE_CONTENT) == 0;
                session.send(dispatch.type(), blank ? dispatch.withoutContent() : dispatch.data());
            }
        }
    }

    // ---- faults ----

    /** Cuts every connection; sessions stay resumable and keep numbering what they miss. */
    int dropConnections() {
        List<GatewayConnection> dropped;
        synchronized (state) {
            dropped = detachAll();
        }
        dropped.forEach(GatewayConnection::drop);
        return dropped.size();
    }

    /** Op 7: Discord4J closes and resumes on the resume URL. */
    int requestReconnect() {
        return sendToAll(Payloads.gatewayPayload(7, NullNode.getInstance(), null, null), false);
    }

    /** Op 9: with {@code resumable} Discord4J resumes at once; without, it identifies again after 2-6 s. */
    int invalidateSessions(boolean resumable) {
        return sendToAll(Payloads.gatewayPayload(9, BooleanNode.valueOf(resumable), null, null), !resumable);
    }

    private int sendToAll(ObjectNode payload, boolean forgetSessions) {
        String json = Json.write(payload);
        List<GatewayConnection> targets;
        synchronized (state) {
            targets = new ArrayList<>(connections);
            if (forgetSessions) {
                targets.forEach(c -> {
                    if (c.session != null) {
                        sessions.remove(c.session.id);
                        c.session.connection = null;
                        c.session = null;
                    }
                });
            }
        }
        targets.forEach(c -> c.send(json));
        return targets.size();
    }

    private List<GatewayConnection> detachAll() {
        List<GatewayConnection> detached = new ArrayList<>();
        for (Iterator<GatewayConnection> it = connections.iterator(); it.hasNext(); ) {
            GatewayConnection connection = it.next();
            it.remove();
            if (connection.session != null && connection.session.connection == connection) {
                connection.session.connection = null;
            }
            detached.add(connection);
        }
        return detached;
    }

    int connectionCount() {
        synchronized (state) {
            return connections.size();
        }
    }

    void closeAll() {
        List<GatewayConnection> all;
        synchronized (state) {
            all = detachAll();
        }
        all.forEach(c -> c.close(1001, "Going away"));
    }
}
