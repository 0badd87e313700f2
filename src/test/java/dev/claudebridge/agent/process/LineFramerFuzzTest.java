package dev.claudebridge.agent.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.Fuzz;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link LineFramer} (docs/reliability.md): the bytes of N lines, cut into reads at arbitrary offsets
 * (inside multi-byte UTF-8 characters too, and in heap, offset and direct buffers as NuProcess hands them out), come
 * out as exactly those N lines, in order. A line within {@code maxLineBytes} comes out whole, decoded from all of its
 * bytes at once; a longer one as {@link Line.Oversized} with its exact length and a head of its first
 * {@link LineFramer#HEAD_BYTES} bytes (all of it when shorter), whatever the reads were.
 */
final class LineFramerFuzzTest {

    /** Code points of every UTF-8 length, line-ish controls, JSON punctuation, and the replacement character. */
    private static final int[] CODE_POINTS = {'a', 'z', '0', ' ', '"', '{', '}', ':', ',', '\\', '\r', '\t', 0x7f,
        0xe9, 0xdf, 0x416, 0x5d0, 0x20ac, 0x4e2d, 0x2028, 0xfeff, 0xfffd, 0x1f389, 0x1f9d1, 0x1d11e, 0x10ffff};
    private static final byte[][] UTF8 = Arrays.stream(CODE_POINTS)
            .mapToObj(cp -> Character.toString(cp).getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    private static final int[] MAX_LINE_BYTES = {1024, 1025, 2000, LineFramer.HEAD_BYTES - 1, LineFramer.HEAD_BYTES,
        LineFramer.HEAD_BYTES + 1, 6000, 8192, 16384};
    /** Small caps for one-byte reads, where every byte is a read of its own. */
    private static final int[] SMALL_MAX_LINE_BYTES = {1024, 1025, 2000};

    /** Lines (bytes without '\n'), whether the last one ends with a newline, where the reads end, the cap. */
    record Case(List<byte[]> lines, boolean lastNewline, List<Integer> cuts, int buffers, int maxLineBytes) {

        byte[] stream() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < lines.size(); i++) {
                out.writeBytes(lines.get(i));
                if (i < lines.size() - 1 || lastNewline) {
                    out.write('\n');
                }
            }
            return out.toByteArray();
        }

        @Override
        public String toString() {
            return "max " + maxLineBytes + ", buffers " + buffers + ", lastNewline " + lastNewline + ", cuts " + cuts
                    + ", lines " + lines.stream().map(l -> l.length + ":" + Fuzz.literal(
                            new String(l, StandardCharsets.UTF_8))).collect(Collectors.joining(", ", "[", "]"));
        }
    }

    @Test
    void linesCutAtAnyByteComeOutExactly() {
        int cases = Fuzz.property("LineFramer: N lines cut at random byte offsets",
                        random -> generate(random, MAX_LINE_BYTES, 2 * LineFramer.HEAD_BYTES))
                .tries(10_000)
                .shrinking(LineFramerFuzzTest::shrink)
                .check(LineFramerFuzzTest::framesExactly);
        assertThat(cases).isGreaterThanOrEqualTo(10_000);
    }

    /** One byte per read over lines full of multi-byte characters: every character is split across reads. */
    @Test
    void oneByteReadsSplitEveryCharacter() {
        Fuzz.property("LineFramer: one-byte reads", random -> {
            Case c = generate(random, SMALL_MAX_LINE_BYTES, LineFramer.HEAD_BYTES);
            int total = c.stream().length;
            return new Case(c.lines(), c.lastNewline(), IntStream.range(1, total).boxed().toList(), random.nextInt(3),
                    c.maxLineBytes());
        }).tries(1000).shrinking(LineFramerFuzzTest::shrink).check(LineFramerFuzzTest::framesExactly);
    }

    /**
     * Found by the property above: with a cap under {@link LineFramer#HEAD_BYTES}, the head of an oversized line was
     * whatever had arrived when the cap was crossed, so the same line gave a shorter head in small reads.
     */
    @Test
    void anOversizedHeadDoesNotDependOnTheReads() {
        byte[] line = ("{\"type\":\"assistant\",\"x\":\"" + "y".repeat(3000) + "\"}").getBytes(StandardCharsets.UTF_8);
        framesExactly(new Case(List.of(line), true, List.of(1024, 1025), 0, 1024));
        framesExactly(new Case(List.of(line), true, List.of(), 0, 1024));
    }

    private static void framesExactly(Case c) {
        List<Line> out = new ArrayList<>();
        LineFramer framer = new LineFramer(c.maxLineBytes(), out::add);
        byte[] stream = c.stream();
        int from = 0;
        List<Integer> ends = new ArrayList<>(c.cuts());
        ends.add(stream.length);
        for (int end : ends) {
            framer.feed(buffer(stream, from, end, c.buffers()));
            from = end;
        }
        framer.finish();

        List<byte[]> expected = new ArrayList<>(c.lines());
        if (!c.lastNewline() && expected.getLast().length == 0) {
            expected.removeLast(); // a stream ending in "\n" has no line after it
        }
        assertThat(out).containsExactlyElementsOf(expected.stream().map(l -> expected(l, c.maxLineBytes())).toList());
    }

    private static Line expected(byte[] line, int maxLineBytes) {
        if (line.length <= maxLineBytes) {
            return new Line.Complete(new String(line, StandardCharsets.UTF_8));
        }
        byte[] head = Arrays.copyOf(line, Math.min(line.length, LineFramer.HEAD_BYTES));
        return new Line.Oversized(new String(head, StandardCharsets.UTF_8), line.length);
    }

    /** A read as NuProcess or a test may hand it over: a heap slice, a heap buffer with an offset, or direct. */
    private static ByteBuffer buffer(byte[] stream, int from, int to, int kind) {
        return switch (kind) {
            case 0 -> ByteBuffer.wrap(stream, from, to - from).slice();
            case 1 -> ByteBuffer.wrap(stream, 0, to).position(from);
            default -> ByteBuffer.allocateDirect(to - from).put(stream, from, to - from).flip();
        };
    }

    /** Up to six lines under a cap drawn from {@code caps}; a line over the cap is over it by up to {@code overBy}. */
    private static Case generate(Random random, int[] caps, int overBy) {
        int max = caps[random.nextInt(caps.length)];
        int count = 1 + random.nextInt(6);
        List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add(line(random, max, overBy));
        }
        boolean lastNewline = random.nextInt(3) > 0;
        int total = new Case(lines, lastNewline, List.of(), 0, max).stream().length;
        TreeSet<Integer> cuts = new TreeSet<>();
        int wanted = total == 0 ? 0 : random.nextInt(Math.min(total, 40) + 1);
        for (int i = 0; i < wanted; i++) {
            cuts.add(1 + random.nextInt(Math.max(1, total - 1)));
        }
        cuts.removeIf(cut -> cut >= total);
        return new Case(lines, lastNewline, List.copyOf(cuts), random.nextInt(3), max);
    }

    /** A line of random length: often short, sometimes right at the cap, sometimes over it; now and then not UTF-8. */
    private static byte[] line(Random random, int max, int overBy) {
        int bytes = switch (random.nextInt(8)) {
            case 0 -> 0;
            case 1 -> max + random.nextInt(3) - 1; // at the cap, one under, one over
            case 2 -> max + 1 + random.nextInt(overBy);
            default -> random.nextInt(Math.min(max, 300));
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < bytes) {
            if (random.nextInt(50) == 0) {
                // Bytes that are not UTF-8 (a lone continuation byte, a truncated lead, 0xff): anything but '\n'.
                int junk = new int[] {0x80, 0xbf, 0xc3, 0xe2, 0xf0, 0xff, 0x00}[random.nextInt(7)];
                out.write(junk);
                continue;
            }
            byte[] cp = UTF8[random.nextInt(UTF8.length)];
            if (out.size() + cp.length > bytes) {
                cp = new byte[] {'x'};
            }
            out.writeBytes(cp);
        }
        return out.toByteArray();
    }

    private static Stream<Case> shrink(Case c) {
        Stream<Case> fewerCuts = IntStream.range(0, c.cuts().size()).mapToObj(i -> {
            List<Integer> cuts = new ArrayList<>(c.cuts());
            cuts.remove(i);
            return new Case(c.lines(), c.lastNewline(), cuts, c.buffers(), c.maxLineBytes());
        });
        Stream<Case> fewerLines = c.lines().size() <= 1 ? Stream.empty() : IntStream.range(0, c.lines().size())
                .mapToObj(i -> {
                    List<byte[]> lines = new ArrayList<>(c.lines());
                    lines.remove(i);
                    return valid(new Case(lines, c.lastNewline(), c.cuts(), c.buffers(), c.maxLineBytes()));
                });
        return Stream.concat(fewerLines, fewerCuts);
    }

    private static Case valid(Case c) {
        int total = c.stream().length;
        return new Case(c.lines(), c.lastNewline(), c.cuts().stream().filter(cut -> cut < total).toList(), c.buffers(),
                c.maxLineBytes());
    }
}
