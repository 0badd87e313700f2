package dev.claudebridge.agent.process;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a byte stream into newline-terminated lines. Bytes are kept until the newline, so a UTF-8 character split
 * across two reads is decoded whole. A line longer than the cap is not kept: its first {@link #HEAD_BYTES} bytes
 * are, so that the reader can still tell what it was (docs/architecture.md §3.3), and the rest is counted and dropped.
 * Not thread-safe: one framer per stream, fed by one thread.
 */
public final class LineFramer {

    /** Enough of a line's head to read its {@code type} and {@code request_id}. */
    static final int HEAD_BYTES = 4096;

    private final int maxLineBytes;
    private final Consumer<Line> sink;
    private ByteArrayOutputStream current = new ByteArrayOutputStream(256);
    private byte[] scratch = new byte[8192];
    private long oversizedBytes = -1; // >= 0 while skipping the rest of an oversized line

    public LineFramer(int maxLineBytes, Consumer<Line> sink) {
        this.maxLineBytes = maxLineBytes;
        this.sink = sink;
    }

    /** Consumes every remaining byte of {@code buffer}. */
    public void feed(ByteBuffer buffer) {
        while (buffer.hasRemaining()) {
            int start = buffer.position();
            int newline = indexOfNewline(buffer);
            int end = newline < 0 ? buffer.limit() : newline;
            append(buffer, start, end - start);
            buffer.position(newline < 0 ? end : end + 1);
            if (newline >= 0) {
                emit();
            }
        }
    }

    /** End of stream: a last line without its newline is still delivered. */
    public void finish() {
        if (current.size() > 0 || oversizedBytes >= 0) {
            emit();
        }
    }

    private void append(ByteBuffer buffer, int from, int length) {
        if (oversizedBytes >= 0) {
            oversizedBytes += length;
            // Under a cap below HEAD_BYTES the head is still short when the cap is crossed: it is completed from the
            // reads that follow, so the head never depends on where the reads happened to end.
            copy(buffer, from, Math.min(length, HEAD_BYTES - current.size()));
            return;
        }
        if (current.size() + length > maxLineBytes) {
            // Over the cap: keep only the head, count the rest.
            long total = current.size() + (long) length;
            byte[] kept = current.toByteArray();
            current = new ByteArrayOutputStream(HEAD_BYTES);
            int fromKept = Math.min(kept.length, HEAD_BYTES);
            current.write(kept, 0, fromKept);
            copy(buffer, from, Math.min(length, HEAD_BYTES - fromKept));
            oversizedBytes = total;
            return;
        }
        copy(buffer, from, length);
    }

    /** NuProcess hands out direct buffers, so bytes are copied through a scratch array. */
    private void copy(ByteBuffer buffer, int from, int length) {
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        buffer.get(from, scratch, 0, length);
        current.write(scratch, 0, length);
    }

    private void emit() {
        String text = current.toString(StandardCharsets.UTF_8);
        Line line = oversizedBytes >= 0 ? new Line.Oversized(text, oversizedBytes) : new Line.Complete(text);
        // Do not keep the backing array of a large line alive between lines.
        current = text.length() > 64 * 1024 ? new ByteArrayOutputStream(256) : current;
        current.reset();
        oversizedBytes = -1;
        sink.accept(line);
    }

    private static int indexOfNewline(ByteBuffer buffer) {
        for (int i = buffer.position(); i < buffer.limit(); i++) {
            if (buffer.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
