package dev.claudebridge.testkit.mattermost;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One of a user's WebSocket connections as the server keeps it ({@code platform/web_conn.go}): a connection id, the
 * next sequence number, the last {@link #DEAD_QUEUE_SIZE} events sent (the dead queue a reconnect replays from) and,
 * while no socket is attached, the events queued for it. It outlives its socket: a client that reconnects with its
 * {@code connection_id} and {@code sequence_number} (authenticated at the upgrade) picks it up again.
 */
final class WebConn {
    static final int DEAD_QUEUE_SIZE = 128;
    /** The server's send queue; when it is full the connection is given up. */
    static final int SEND_QUEUE_SIZE = 256;

    final String userId;
    private String connectionId;
    private long sequence;
    private final ArrayDeque<ObjectNode> dead = new ArrayDeque<>();
    private final ArrayDeque<MmEvent> pending = new ArrayDeque<>();
    private Socket socket;
    private long detachedAt;
    private boolean overflowed;

    WebConn(String userId) {
        this.userId = userId;
        this.connectionId = MmIds.next();
    }

    synchronized String connectionId() {
        return connectionId;
    }

    synchronized boolean attached() {
        return socket != null;
    }

    /** Whether a reconnect may still pick this connection up. */
    synchronized boolean resumable(long now, long window) {
        return !overflowed && (socket != null || now - detachedAt <= window);
    }

    /** A fresh connection: the hello event is its first, with sequence 0. */
    synchronized void open(Socket s, String serverVersion) {
        socket = s;
        write(hello(serverVersion));
    }

    /**
     * A reconnect with this connection's id, as {@code writePump} starts one: replay from {@code requested} when the
     * dead queue holds it; a new id, sequence 0 and a hello when events were lost; else just carry on. The events
     * queued while no socket was attached follow.
     */
    synchronized void resume(Socket s, long requested, String serverVersion) {
        if (socket != null && socket != s) {
            socket.drop();
        }
        socket = s;
        sequence = requested;
        if (requested != 0) {
            List<ObjectNode> replay = from(requested);
            if (!replay.isEmpty()) {
                replay.forEach(f -> {
                    sequence++;
                    s.send(f);
                });
            } else if (!dead.isEmpty() && dead.peekLast().path("seq").asLong() != requested - 1) {
                dead.clear();
                connectionId = MmIds.next();
                sequence = 0;
                write(hello(serverVersion));
            }
        }
        while (!pending.isEmpty()) {
            write(pending.removeFirst());
        }
    }

    private List<ObjectNode> from(long seq) {
        List<ObjectNode> out = new ArrayList<>();
        boolean found = false;
        for (ObjectNode f : dead) {
            found |= f.path("seq").asLong() == seq;
            if (found) {
                out.add(f);
            }
        }
        return out;
    }

    synchronized void deliver(MmEvent event) {
        if (socket == null) {
            if (pending.size() >= SEND_QUEUE_SIZE) {
                overflowed = true;
            } else {
                pending.addLast(event);
            }
            return;
        }
        write(event);
    }

    private void write(MmEvent event) {
        ObjectNode frame = event.frame(sequence++);
        dead.addLast(frame);
        if (dead.size() > DEAD_QUEUE_SIZE) {
            dead.removeFirst();
        }
        socket.send(frame);
    }

    synchronized void detach(Socket s, long now) {
        if (socket == s) {
            socket = null;
            detachedAt = now;
        }
    }

    /** Drops the socket and counts the connection as detached at once (a forget right after then sees it). */
    synchronized void dropSocket(long now) {
        if (socket != null) {
            socket.drop();
            socket = null;
            detachedAt = now;
        }
    }

    private MmEvent hello(String serverVersion) {
        ObjectNode data = MmJson.object();
        data.put("server_version", serverVersion);
        data.put("connection_id", connectionId);
        data.put("server_hostname", "fake-mattermost");
        return MmEvent.toUser("hello", data, userId);
    }
}
