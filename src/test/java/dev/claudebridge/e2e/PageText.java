package dev.claudebridge.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * Gets the model's text back from the pages of a reply, by the conventions the renderer documents (and with none
 * of its code): drop the footer line, drop added fence lines at page joins, join, drop tool lines.
 */
final class PageText {

    private static final String CLOSE = "\n```";

    private PageText() {
    }

    static String modelText(List<String> pages, String footerMarker) {
        List<String> body = new ArrayList<>(pages);
        int lastIndex = body.size() - 1;
        String last = body.get(lastIndex);
        int footer = last.lastIndexOf(footerMarker);
        // The footer is the last line(s) from its marker on, or a page of its own.
        String trimmed = footer == 0 ? "" : last.substring(0, last.lastIndexOf('\n', footer));
        if (trimmed.isEmpty()) {
            body.remove(lastIndex);
        } else {
            body.set(lastIndex, trimmed);
        }
        StringBuilder text = new StringBuilder();
        boolean reopened = false;
        for (int i = 0; i < body.size(); i++) {
            String page = body.get(i);
            if (reopened) {
                page = page.substring(page.indexOf('\n') + 1);
            }
            reopened = i < body.size() - 1 && page.endsWith(CLOSE);
            text.append(reopened ? page.substring(0, page.length() - CLOSE.length()) : page);
        }
        return String.join("\n", text.toString().lines().filter(l -> !l.startsWith("🔧 ")).toList())
                + (text.toString().endsWith("\n") ? "\n" : "");
    }
}
