package dev.claudebridge.core.session;

import dev.claudebridge.core.port.SessionStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A session's stored turns as a Markdown document, at most {@link #MAX_BYTES} long: past that, the oldest turns are
 * left out (and the file and its message say so), so a long session's export neither fails at the platform's file
 * limit nor holds more than about that much in memory while it is made (turns are folded in one at a time).
 */
final class Export {

    /** Under Discord's 10 MiB attachment limit for bots, with room for the header. */
    static final int MAX_BYTES = 8 << 20;

    /** The turns that fit, newest last; oldest dropped first when over the cap. */
    static final class Builder {
        private final int maxBytes;
        private final Deque<String> kept = new ArrayDeque<>();
        private long keptBytes;
        private int total;

        Builder(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        Builder add(SessionStore.TurnRecord turn) {
            total++;
            String section = section(total, turn);
            kept.addLast(section);
            keptBytes += section.getBytes(StandardCharsets.UTF_8).length;
            while (keptBytes > maxBytes && !kept.isEmpty()) {
                keptBytes -= kept.removeFirst().getBytes(StandardCharsets.UTF_8).length;
            }
            return this;
        }

        int total() {
            return total;
        }

        int kept() {
            return kept.size();
        }

        String markdown(ThreadSession.Identity identity) {
            StringBuilder md = new StringBuilder("# ").append(identity.title()).append("\n\n")
                    .append("- Started: ").append(identity.createdAt()).append('\n')
                    .append("- Directory: `").append(identity.workDir()).append("`\n")
                    .append(identity.model().map(m -> "- Model: `" + m + "`\n").orElse(""));
            if (kept.size() < total) {
                md.append("- ").append(Texts.exportCut(kept.size(), total, MAX_BYTES)).append('\n');
            }
            md.append('\n');
            kept.forEach(md::append);
            return md.toString();
        }
    }

    private Export() {
    }

    private static String section(int n, SessionStore.TurnRecord turn) {
        StringBuilder md = new StringBuilder("## Turn ").append(n).append(" (").append(turn.outcome()).append(", ")
                .append(Texts.seconds(turn.duration())).append(", ").append(Texts.usd(turn.costUsd()))
                .append(")\n\n**Prompt**\n\n").append(quote(turn.prompt())).append("\n\n");
        if (!turn.toolLines().isEmpty()) {
            md.append("**Tools**\n\n");
            turn.toolLines().forEach(line -> md.append("- ").append(line).append('\n'));
            md.append('\n');
        }
        return md.append("**Reply**\n\n").append(turn.replyText()).append("\n\n").toString();
    }

    private static String quote(String text) {
        return "> " + String.join("\n> ", text.lines().toList());
    }
}
