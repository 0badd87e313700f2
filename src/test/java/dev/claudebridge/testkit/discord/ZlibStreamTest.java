package dev.claudebridge.testkit.discord;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** The framing Discord4J's ZlibDecompressor relies on: one shared context, each payload ending in 00 00 FF FF. */
final class ZlibStreamTest {

    @Test
    void eachPayloadEndsWithTheSyncFlushSuffixAndInflatesWithOneSharedInflater() throws DataFormatException {
        ZlibStream stream = new ZlibStream();
        Inflater inflater = new Inflater();
        String big = "{\"op\":0,\"d\":\"" + "x".repeat(100_000) + "\"}";
        for (String json : new String[] {"{\"op\":10}", big, "{\"op\":11}"}) {
            byte[] frame = stream.encode(json);
            assertThat(Arrays.copyOfRange(frame, frame.length - 4, frame.length))
                    .containsExactly(0x00, 0x00, 0xFF, 0xFF);
            inflater.setInput(frame);
            byte[] out = new byte[json.length() + 64];
            int n = inflater.inflate(out);
            assertThat(new String(out, 0, n, StandardCharsets.UTF_8)).isEqualTo(json);
        }
        stream.end();
        inflater.end();
    }
}
