package dev.claudebridge.support;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * A file fetched over HTTP into memory, non-blocking (Reactor Netty), cut off as soon as it is larger than allowed:
 * a {@code Content-Length} over the limit is refused before the body is read, and a body that keeps coming stops at
 * the limit whatever the header said.
 */
public final class Downloads {

    private Downloads() {
    }

    /**
     * {@code GET uri} with {@code client} (which carries whatever headers the server needs); fails with
     * {@link TooLarge} past {@code maxBytes}, with an {@link IOException} on any status but 200.
     */
    public static Mono<byte[]> get(HttpClient client, String uri, long maxBytes) {
        return client.get().uri(uri)
                .response((response, body) -> {
                    int status = response.status().code();
                    if (status != 200) {
                        return Mono.error(new IOException("HTTP " + status));
                    }
                    long declared = contentLength(response.responseHeaders().get(HttpHeaderNames.CONTENT_LENGTH));
                    if (declared > maxBytes) {
                        return Mono.error(new TooLarge(declared));
                    }
                    return body.asByteArray()
                            .reduceWith(ByteArrayOutputStream::new, (buffer, chunk) -> {
                                if (buffer.size() + (long) chunk.length > maxBytes) {
                                    throw new TooLarge(buffer.size() + (long) chunk.length);
                                }
                                buffer.writeBytes(chunk);
                                return buffer;
                            })
                            .map(ByteArrayOutputStream::toByteArray)
                            .defaultIfEmpty(new byte[0]);
                })
                .single();
    }

    /** More arrived, or was announced, than allowed. */
    public static final class TooLarge extends RuntimeException {
        private final long received;

        TooLarge(long received) {
            super("more than the allowed size (" + received + " bytes)");
            this.received = received;
        }

        /** The size announced, or what had arrived when it was cut off. */
        public long received() {
            return received;
        }
    }

    private static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
