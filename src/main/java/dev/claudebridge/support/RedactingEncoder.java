package dev.claudebridge.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The logging layer's redaction: wraps the encoder of {@code logback-text.xml} or {@code logback-json.xml} and runs
 * {@link Redaction#text} on each line it produced, so no token, key or password reaches stdout whatever wrote it
 * (Discord4J's errors name the request's URL, an interaction token in it; Reactor Netty could log headers).
 *
 * <p>Why on the encoded line and not on the message: the line is everything that is printed (the message, the
 * key-values, the stack trace with every cause's message, the thread name), in both formats, with one class. The
 * replacements keep a JSON line valid JSON ({@link Redaction}).
 *
 * <p>{@link #hide} adds the bot's own configured secrets as literals ({@code Main} passes them before the first log
 * line), so they are hidden whatever their shape; the patterns of {@link Redaction} cover the rest, such as the
 * interaction tokens Discord hands out while the bot runs.
 */
public final class RedactingEncoder extends EncoderBase<ILoggingEvent> {

    private static volatile Set<String> literals = Set.of();

    private Encoder<ILoggingEvent> encoder;

    /** Hides these values in every line from now on (adds to what was hidden before). */
    public static synchronized void hide(Collection<String> values) {
        Set<String> all = new HashSet<>(literals);
        values.stream().filter(Objects::nonNull).filter(v -> v.length() >= Redaction.MIN_LITERAL).forEach(all::add);
        literals = Set.copyOf(all);
    }

    /** The wrapped encoder (the nested {@code <encoder>} element). */
    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("RedactingEncoder needs a nested <encoder>");
            return;
        }
        if (!encoder.isStarted()) {
            encoder.start();
        }
        super.start();
    }

    @Override
    public void stop() {
        if (encoder != null) {
            encoder.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return encoder == null ? null : encoder.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        byte[] line = encoder.encode(event);
        if (line == null) {
            return null;
        }
        // Both shipped encoders write UTF-8 (the pattern encoder through the JVM's default charset, UTF-8 since 18).
        String text = new String(line, StandardCharsets.UTF_8);
        String redacted = Redaction.text(text, literals);
        return redacted.equals(text) ? line : redacted.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return encoder == null ? null : encoder.footerBytes();
    }
}
