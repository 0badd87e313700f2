package dev.claudebridge.testkit.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The WebSocket side ({@code platform/web_hub.go}, {@code api4/websocket.go}, {@code websocket_router.go}): which
 * connections exist, who receives an event, and the client's actions ({@code authentication_challenge},
 * {@code ping}). A reconnect keeps its connection (and so gets missed events replayed) only when the upgrade itself
 * was authenticated (an {@code Authorization} header), as on the server; a socket that authenticates by challenge
 * always starts a new connection.
 */
final class Hub implements Consumer<MmEvent> {
    static final String SERVER_VERSION = "11.0.0.11.0.0.fake.false";

    private final Map<String, WebConn> conns = new ConcurrentHashMap<>();
    private final long reconnectWindow;
    private volatile java.util.function.Function<String, Optional<MmUser>> tokens = t -> Optional.empty();

    Hub(long reconnectWindow) {
        this.reconnectWindow = reconnectWindow;
    }

    void tokens(java.util.function.Function<String, Optional<MmUser>> lookup) {
        this.tokens = lookup;
    }

    @Override
    public void accept(MmEvent event) {
        long now = System.currentTimeMillis();
        conns.values().removeIf(c -> !c.resumable(now, reconnectWindow));
        for (WebConn c : conns.values()) {
            if (event.recipients().contains(c.userId)) {
                c.deliver(event);
            }
        }
    }

    /** The upgrade: authenticated by its header, or left for an {@code authentication_challenge}. */
    void opened(Socket socket, Optional<MmUser> byHeader, String connectionId, String sequence) {
        byHeader.ifPresent(user -> {
            socket.user = user;
            WebConn known = connectionId.isEmpty() ? null : conns.get(connectionId);
            long now = System.currentTimeMillis();
            if (known != null && known.userId.equals(user.id()) && known.resumable(now, reconnectWindow)) {
                long seq;
                try {
                    seq = Long.parseLong(sequence);
                } catch (NumberFormatException e) {
                    socket.drop(); // "sequence number not present / invalid": the server closes the socket
                    return;
                }
                if (seq < 0) {
                    socket.drop();
                    return;
                }
                String before = known.connectionId();
                socket.conn = known;
                known.resume(socket, seq, SERVER_VERSION);
                if (!before.equals(known.connectionId())) {
                    conns.remove(before);
                    conns.put(known.connectionId(), known);
                }
                return;
            }
            fresh(socket, user);
        });
    }

    private void fresh(Socket socket, MmUser user) {
        WebConn conn = new WebConn(user.id());
        socket.conn = conn;
        conns.put(conn.connectionId(), conn);
        conn.open(socket, SERVER_VERSION);
    }

    /** One text frame from the client: {@code {"seq":n,"action":"...","data":{...}}}. */
    void action(Socket socket, JsonNode request) {
        long seq = request.path("seq").asLong(0);
        String action = request.path("action").asText("");
        if (action.isEmpty()) {
            socket.send(error(seq, 400, "api.web_socket_router.no_action.app_error", "No websocket action."));
            return;
        }
        if (seq <= 0) {
            socket.send(error(seq, 400, "api.web_socket_router.bad_seq.app_error", "Invalid sequence for WebSocket message."));
            return;
        }
        if (action.equals("authentication_challenge")) {
            if (socket.user != null) {
                return; // already authenticated: the server ignores it, without a reply
            }
            Optional<MmUser> user = tokens.apply(request.path("data").path("token").asText(""));
            if (user.isEmpty()) {
                socket.drop();
                return;
            }
            socket.user = user.get();
            fresh(socket, user.get());
            socket.send(ok(seq));
            return;
        }
        if (socket.user == null) {
            socket.send(error(seq, 401, "api.web_socket_router.not_authenticated.app_error",
                    "No websocket connection authenticated."));
            return;
        }
        switch (action) {
            case "ping" -> {
                ObjectNode reply = ok(seq);
                ObjectNode data = reply.putObject("data");
                data.put("text", "pong");
                data.put("version", SERVER_VERSION);
                data.put("server_time", System.currentTimeMillis());
                data.put("node_id", "");
                socket.send(reply);
            }
            case "user_typing", "presence", "get_statuses", "get_statuses_by_ids", "user_update_active_status" ->
                    socket.send(ok(seq));
            default -> socket.send(error(seq, 500, "api.web_socket_router.bad_action.app_error",
                    "Unknown websocket action."));
        }
    }

    void closed(Socket socket) {
        WebConn conn = socket.conn;
        if (conn != null) {
            conn.detach(socket, System.currentTimeMillis());
        }
        socket.closed();
    }

    /** Drops every open socket (or one user's) the way a broken network does. */
    int drop(Optional<String> userId) {
        int dropped = 0;
        for (WebConn c : List.copyOf(conns.values())) {
            if (c.attached() && userId.map(c.userId::equals).orElse(true)) {
                c.dropSocket(System.currentTimeMillis());
                dropped++;
            }
        }
        return dropped;
    }

    /** Forgets every connection without a socket (as a server restart or a long timeout does). */
    void forgetDropped() {
        conns.values().removeIf(c -> !c.attached());
    }

    int openSockets() {
        return (int) conns.values().stream().filter(WebConn::attached).count();
    }

    private static ObjectNode ok(long seq) {
        ObjectNode r = MmJson.object();
        r.put("status", "OK");
        r.put("seq_reply", seq);
        return r;
    }

    private static ObjectNode error(long seq, int status, String id, String message) {
        ObjectNode r = MmJson.object();
        r.put("status", "FAIL");
        r.put("seq_reply", seq);
        ObjectNode e = r.putObject("error");
        e.put("id", id);
        e.put("message", message);
        e.put("detailed_error", "");
        e.put("request_id", "");
        e.put("status_code", status);
        return r;
    }
}
