package dev.claudebridge.agent.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The resident memory of a process, as Linux reports it in {@code /proc/<pid>/status} ({@code VmRSS}). Reads a file:
 * call it only where blocking is allowed (docs/architecture.md, style G5), e.g. on the {@code ops} scheduler during a
 * scrape.
 */
public final class ProcessMemory {

    private static final Path PROC = Path.of("/proc");

    private ProcessMemory() {
    }

    /** Resident bytes of {@code pid}; empty when the process is gone or the system has no {@code /proc}. */
    public static OptionalLong residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(kibibytes(line.substring("VmRSS:".length())) * 1024);
                }
            }
            return OptionalLong.empty(); // a zombie has no VmRSS line
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty(); // exited between the listing and the read, or not Linux
        }
    }

    /** {@code "   123456 kB"} → 123456 (the kernel always writes kB, meaning KiB). */
    static long kibibytes(String value) {
        String v = value.strip();
        int space = v.indexOf(' ');
        return Long.parseLong(space < 0 ? v : v.substring(0, space));
    }
}
