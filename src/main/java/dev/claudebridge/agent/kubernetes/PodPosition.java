package dev.claudebridge.agent.kubernetes;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a session pod's CLI stood for the bot when a turn's prompt was sent: the pod, the bot's place in its log, and
 * the process's cumulative cost and tokens then (a turn's own figures are counted from them). The core stores it as
 * an opaque string ({@code AgentSession#position()}); a restarted bot reads it back to re-attach and replay.
 *
 * @param lastLine     the stamp of the last log line handled, empty before the first
 * @param atLastLine   how many handled lines carry that stamp
 */
public record PodPosition(String pod, Optional<Instant> lastLine, int atLastLine, BigDecimal costUsd, long tokensIn,
        long tokensOut) {

    LogCursor.Mark mark() {
        return new LogCursor.Mark(lastLine, atLastLine);
    }

    /** {@code pod=NAME;at=STAMP;n=N;cost=USD;in=TOKENS;out=TOKENS} ({@code at=-} before the first line). */
    public String format() {
        return "pod=" + pod + ";at=" + lastLine.map(Instant::toString).orElse("-") + ";n=" + atLastLine
                + ";cost=" + costUsd.toPlainString() + ";in=" + tokensIn + ";out=" + tokensOut;
    }

    /** The position {@link #format()} wrote; empty for anything else (a position of another runtime). */
    public static Optional<PodPosition> parse(String text) {
        Map<String, String> fields = new HashMap<>();
        for (String part : text.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        try {
            String at = fields.get("at");
            return Optional.of(new PodPosition(java.util.Objects.requireNonNull(fields.get("pod")),
                    at == null || at.equals("-") ? Optional.empty() : Optional.of(Instant.parse(at)),
                    Integer.parseInt(fields.get("n")), new BigDecimal(fields.get("cost")),
                    Long.parseLong(fields.get("in")), Long.parseLong(fields.get("out"))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
