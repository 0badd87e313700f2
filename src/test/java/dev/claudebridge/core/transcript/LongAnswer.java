package dev.claudebridge.core.transcript;

import dev.claudebridge.core.port.AgentEvent;
import java.util.ArrayList;
import java.util.List;

/** A long answer of the kind a model writes: prose, lists and code blocks in several languages. */
final class LongAnswer {

    private LongAnswer() {
    }

    static String text() {
        StringBuilder out = new StringBuilder("Here is how the pieces fit together 🧩, step by step.\n\n");
        String[] languages = {"python", "java", "bash"};
        for (int section = 1; section <= 4; section++) {
            out.append("## Step ").append(section).append("\n\n");
            out.append("The service reads its settings, checks them once, and fails fast when one is wrong. ")
                    .append("That keeps surprises out of the request path. ✅\n\n");
            out.append("- first point of step ").append(section).append('\n')
                    .append("- second point, with `inline code` and **bold**\n\n");
            String language = languages[section % languages.length];
            out.append("```").append(language).append('\n');
            for (int line = 1; line <= 18 + 6 * section; line++) {
                out.append(codeLine(language, section, line)).append('\n');
            }
            out.append("```\n\n");
        }
        return out.append("That is all. Ask if anything is unclear.").toString();
    }

    /** The text as deltas of about {@code size} code points each (never half a surrogate pair, like the API). */
    static List<AgentEvent> deltas(String text, int size) {
        List<AgentEvent> deltas = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = start;
            for (int n = 0; n < size && end < text.length(); n++) {
                end += Character.charCount(text.codePointAt(end));
            }
            deltas.add(new AgentEvent.TextDelta(text.substring(start, end)));
            start = end;
        }
        return deltas;
    }

    private static String codeLine(String language, int section, int line) {
        return switch (language) {
            case "python" -> "    total_" + line + " = compute(section=" + section + ", line=" + line + ")";
            case "java" -> "        int value" + line + " = compute(" + section + ", " + line + "); // step";
            default -> "echo \"step " + section + " line " + line + "\" | tee -a log.txt";
        };
    }
}
