package dev.claudebridge.core.session;

import dev.claudebridge.core.port.SessionStore;
import java.util.List;

/** A session's stored turns as a Markdown document. */
final class Export {

    private Export() {
    }

    static String markdown(ThreadSession.Identity identity, List<SessionStore.TurnRecord> turns) {
        StringBuilder md = new StringBuilder("# ").append(identity.title()).append("\n\n")
                .append("- Started: ").append(identity.createdAt()).append('\n')
                .append("- Directory: `").append(identity.workDir()).append("`\n")
                .append(identity.model().map(m -> "- Model: `" + m + "`\n").orElse(""))
                .append('\n');
        int n = 1;
        for (SessionStore.TurnRecord turn : turns) {
            md.append("## Turn ").append(n++).append(" (").append(turn.outcome()).append(", ")
                    .append(Texts.seconds(turn.duration())).append(", ").append(Texts.usd(turn.costUsd()))
                    .append(")\n\n**Prompt**\n\n").append(quote(turn.prompt())).append("\n\n");
            if (!turn.toolLines().isEmpty()) {
                md.append("**Tools**\n\n");
                turn.toolLines().forEach(line -> md.append("- ").append(line).append('\n'));
                md.append('\n');
            }
            md.append("**Reply**\n\n").append(turn.replyText()).append("\n\n");
        }
        return md.toString();
    }

    private static String quote(String text) {
        return "> " + String.join("\n> ", text.lines().toList());
    }
}
