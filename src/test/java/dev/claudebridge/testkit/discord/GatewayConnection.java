package dev.claudebridge.testkit.discord;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;

/**
 * One websocket from a client. Sends are serialized by this object's monitor because the shared deflate context
 * and the frame order must agree; the frames go to Netty through a unicast sink that only this monitor emits to.
 */
final class GatewayConnection {
    private final ZlibStream zlib = new ZlibStream();
    private final Sinks.Many<WebSocketFrame> frames = Sinks.many().unicast().onBackpressureBuffer();
    private final String path;
    private volatile Connection netty;
    private boolean open = true;
    private int closeCode;
    private String closeReason;
    /** The session this connection identified or resumed, once it did. */
    volatile GatewaySession session;

    GatewayConnection(String path) {
        this.path = path;
    }

    String path() {
        return path;
    }

    void attach(Connection connection) {
        this.netty = connection;
    }

    Flux<WebSocketFrame> frames() {
        return frames.asFlux();
    }

    synchronized void send(String json) {
        if (open) {
            byte[] compressed = zlib.encode(json);
            frames.tryEmitNext(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(compressed)));
        }
    }

    /** Ends the frame stream; the handler then sends a close frame with this code. */
    synchronized void close(int code, String reason) {
        if (open) {
            closeCode = code;
            closeReason = reason;
            release();
        }
    }

    synchronized int closeCode() {
        return closeCode;
    }

    synchronized String closeReason() {
        return closeReason;
    }

    /** Cuts the TCP connection without a close frame, as a network failure would (Discord4J sees 1006). */
    void drop() {
        Connection connection = netty;
        synchronized (this) {
            release();
        }
        if (connection != null) {
            connection.dispose();
        }
    }

    synchronized void release() {
        if (open) {
            open = false;
            zlib.end();
            frames.tryEmitComplete();
        }
    }

    synchronized boolean isOpen() {
        return open;
    }
}
