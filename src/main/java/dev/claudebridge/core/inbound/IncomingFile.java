package dev.claudebridge.core.inbound;

import reactor.core.publisher.Mono;

/**
 * A file attached to a user's message, as the platform describes it; its bytes are fetched only when the message is
 * taken (within the limits).
 *
 * @param name        the name the platform gives (not yet fit for a path)
 * @param size        the size the platform gives, in bytes
 * @param contentType the type the platform gives, or empty (only informative: images are told by their bytes)
 * @param download    fetches the bytes from the platform, non-blocking
 */
public record IncomingFile(String name, long size, String contentType, Download download) {

    /** How the adapter fetches a file's bytes. */
    @FunctionalInterface
    public interface Download {
        /**
         * The file's bytes; fails with {@link TooLarge} as soon as more than {@code maxBytes} arrive (whatever size
         * the platform said), and with another error when the platform does not give them.
         */
        Mono<byte[]> bytes(long maxBytes);
    }

    /** A download that brought more than was allowed. */
    public static final class TooLarge extends RuntimeException {
        private final long received;

        public TooLarge(long received) {
            super("more than " + received + " bytes");
            this.received = received;
        }

        /** How many bytes had arrived when it was cut off (at least the limit plus one). */
        public long received() {
            return received;
        }
    }
}
