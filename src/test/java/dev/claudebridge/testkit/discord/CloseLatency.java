package dev.claudebridge.testkit.discord;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Holds a client's close frame back for a moment before Reactor Netty answers it.
 *
 * <p>Why: Reactor Netty echoes a close frame at once. Discord answers after a network round trip. Discord4J's
 * {@code GatewayWebsocketHandler.close} emits into a one-shot sink from the thread that called {@code logout()};
 * an instant echo makes the event loop emit into the same sink concurrently (FAIL_NON_SERIALIZED, "Gateway client
 * error") and the logout never completes. A round trip's worth of delay makes the fake behave like Discord here.
 */
final class CloseLatency extends ChannelInboundHandlerAdapter {
    static final String NAME = "fake-discord-close-latency";
    private final long delayMillis;

    CloseLatency(Duration delay) {
        this.delayMillis = delay.toMillis();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof CloseWebSocketFrame) {
            ctx.executor().schedule(() -> ctx.fireChannelRead(msg), delayMillis, TimeUnit.MILLISECONDS);
        } else {
            ctx.fireChannelRead(msg);
        }
    }
}
