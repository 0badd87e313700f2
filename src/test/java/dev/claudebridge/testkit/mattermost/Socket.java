package dev.claudebridge.testkit.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;

/**
 * One open WebSocket. Every frame to the client goes through {@link #send}, one at a time (events from the hub and
 * replies to the client's actions come from different threads).
 */
final class Socket {
    private static final Logger log = LoggerFactory.getLogger(Socket.class);

    private final Sinks.Many<String> out = Sinks.many().unicast().onBackpressureBuffer();
    private final AtomicReference<Connection> connection = new AtomicReference<>();
    volatile MmUser user;
    volatile WebConn conn;

    Flux<String> frames() {
        return out.asFlux();
    }

    void bind(Connection c) {
        connection.set(c);
    }

    synchronized void send(JsonNode frame) {
        Sinks.EmitResult result = out.tryEmitNext(MmJson.write(frame));
        if (result.isFailure() && result != Sinks.EmitResult.FAIL_TERMINATED
                && result != Sinks.EmitResult.FAIL_CANCELLED) {
            log.warn("websocket frame not sent: {}", result);
        }
    }

    /** Ends the socket from the server side without a close frame, as a broken network does. */
    void drop() {
        Connection c = connection.get();
        if (c != null) {
            c.dispose();
        }
        out.tryEmitComplete();
    }

    void closed() {
        out.tryEmitComplete();
    }
}
