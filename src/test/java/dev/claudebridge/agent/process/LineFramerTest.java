package dev.claudebridge.agent.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class LineFramerTest {

    private final List<Line> lines = new ArrayList<>();

    @Test
    void aCharacterSplitAcrossReadsIsDecodedWhole() {
        LineFramer framer = new LineFramer(1 << 20, lines::add);
        byte[] bytes = "{\"t\":\"héllo 🎉\"}\n".getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) { // the worst case: one byte per read
            framer.feed(ByteBuffer.allocateDirect(1).put(b).flip());
        }
        assertThat(lines).containsExactly(new Line.Complete("{\"t\":\"héllo 🎉\"}"));
    }

    @Test
    void severalLinesInOneReadAndALastLineWithoutNewline() {
        LineFramer framer = new LineFramer(1 << 20, lines::add);
        framer.feed(ByteBuffer.wrap("a\nb\nc".getBytes(StandardCharsets.UTF_8)));
        assertThat(lines).containsExactly(new Line.Complete("a"), new Line.Complete("b"));
        framer.finish();
        assertThat(lines).last().isEqualTo(new Line.Complete("c"));
    }

    @Test
    void anOversizedLineKeepsItsHeadAndItsLengthAndTheNextLineIsIntact() {
        LineFramer framer = new LineFramer(8192, lines::add);
        String head = "{\"type\":\"control_request\",\"request_id\":\"r1\",\"request\":{\"subtype\":\"can_use_tool\",\"x\":\"";
        String big = head + "y".repeat(20_000) + "\"}}";
        byte[] bytes = (big + "\n{\"ok\":1}\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += 1000) {
            framer.feed(ByteBuffer.wrap(bytes, i, Math.min(1000, bytes.length - i)).slice());
        }
        assertThat(lines).hasSize(2);
        Line.Oversized oversized = (Line.Oversized) lines.get(0);
        assertThat(oversized.totalBytes()).isEqualTo(big.length());
        assertThat(oversized.head().startsWith(head)).isTrue();
        assertThat(oversized.head().length()).isLessThanOrEqualTo(LineFramer.HEAD_BYTES);
        assertThat(lines.get(1)).isEqualTo(new Line.Complete("{\"ok\":1}"));
    }
}
