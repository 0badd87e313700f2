package dev.claudebridge.testkit.discord;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

/**
 * Discord's zlib-stream transport compression: one deflate context for the whole connection (zlib header once),
 * each payload flushed with SYNC_FLUSH so it ends with {@code 00 00 FF FF}, which is how Discord4J's
 * {@code ZlibDecompressor} finds message boundaries. Not thread-safe: the connection serializes calls.
 */
final class ZlibStream {
    private final Deflater deflater = new Deflater();
    private final byte[] buffer = new byte[8192];
    private boolean ended;

    byte[] encode(String json) {
        if (ended) {
            throw new IllegalStateException("zlib stream already ended");
        }
        deflater.setInput(json.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int written;
        do {
            // A full buffer may mean more output is pending; SYNC_FLUSH is complete once it writes less.
            written = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, written);
        } while (written == buffer.length);
        return out.toByteArray();
    }

    void end() {
        if (!ended) {
            ended = true;
            deflater.end();
        }
    }
}
