package dev.claudebridge.agent.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** VmRSS read from /proc, against what {@code ps} says of the same process. */
final class ProcessMemoryTest {

    @Test
    void theResidentMemoryOfALiveProcessIsWhatPsSaysAndAGoneProcessHasNone() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            long pid = sleeper.pid();
            // While the child execs sleep and loads it, its memory moves; then it stays put. ps reads the same
            // kernel counters in KiB: the two agree once it has settled.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ProcessMemory.residentBytes(pid).orElse(-1) == psKib(pid) * 1024);
            assertThat(ProcessMemory.residentBytes(pid).orElseThrow()).isGreaterThan(100 * 1024);
        } finally {
            sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(ProcessMemory.residentBytes(sleeper.pid())).isEmpty();
    }

    private static long psKib(long pid) throws Exception {
        Process ps = new ProcessBuilder("ps", "-o", "rss=", "-p", Long.toString(pid)).start();
        String kib = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(ps.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return Long.parseLong(kib);
    }

    @Test
    void theKernelsKilobytesAreKibibytes() {
        assertThat(ProcessMemory.kibibytes("\t  190464 kB")).isEqualTo(190464);
    }
}
