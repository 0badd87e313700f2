package dev.claudebridge.core.transcript;

/**
 * All reply text of one fold, append-only, shared by the transcripts of that fold. A transcript sees only the first
 * {@code length} characters it was made with, so appending behind it does not change it: that keeps a transcript an
 * immutable value while a delta costs its own length instead of a copy of everything before it. Only the snapshot
 * at the end of the log appends in place; an older one that is applied again (a branch) copies its prefix first.
 * Synchronized, because snapshots may be read on other threads than the one folding; nothing here waits for long.
 */
final class TextLog {

    private final StringBuilder chars;

    TextLog() {
        this.chars = new StringBuilder();
    }

    private TextLog(CharSequence prefix) {
        this.chars = new StringBuilder(prefix.length() + 256).append(prefix);
    }

    /** Appends {@code text} behind a snapshot of {@code length} characters; returns the log that now holds both. */
    synchronized TextLog append(int length, String text) {
        if (chars.length() == length) {
            chars.append(text);
            return this;
        }
        return new TextLog(chars.subSequence(0, length)).append(length, text);
    }

    synchronized String slice(int start, int end) {
        return chars.substring(start, end);
    }

    synchronized void copyTo(StringBuilder out, int start, int end) {
        out.append(chars, start, end);
    }
}
