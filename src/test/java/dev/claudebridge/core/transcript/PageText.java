package dev.claudebridge.core.transcript;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Gets the model's text back from pages by the recipe in Renderer's javadoc, written from that text alone (literal
 * markers, no renderer code), as the end-to-end test will.
 */
final class PageText {

    private PageText() {
    }

    /** The body: pages without the footer and the status line, added fences removed, concatenated. */
    static String body(List<String> pages, String footer, String status, boolean lastLeftOpen) {
        List<String> rest = new ArrayList<>(pages);
        for (String tail : new String[] {footer, status}) {
            if (tail == null) {
                continue;
            }
            String last = rest.getLast();
            if (last.equals(tail)) {
                rest.removeLast();
            } else {
                assertThat(last).endsWith("\n" + tail);
                rest.set(rest.size() - 1, last.substring(0, last.length() - tail.length() - 1));
            }
        }
        for (int i = 0; i < rest.size() - 1; i++) {
            if (rest.get(i).endsWith("\n```")) {
                rest.set(i, rest.get(i).substring(0, rest.get(i).length() - 4));
                String next = rest.get(i + 1);
                assertThat(next).startsWith("```");
                rest.set(i + 1, next.substring(next.indexOf('\n') + 1));
            }
        }
        if (lastLeftOpen) {
            String last = rest.getLast();
            assertThat(last).endsWith("\n```");
            rest.set(rest.size() - 1, last.substring(0, last.length() - 4));
        }
        return String.join("", rest);
    }

    /** The body without its tool lines: every line starting with "🔧 " goes, with one newline. */
    static String withoutToolLines(String body) {
        return Arrays.stream(body.split("\n", -1))
                .filter(line -> !line.startsWith("🔧 "))
                .collect(Collectors.joining("\n"));
    }

    static String text(List<String> pages) {
        return withoutToolLines(body(pages, null, null, false));
    }

    static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }

    /** Lines starting with ``` toggle a code block; a page is balanced when it ends outside one. */
    static boolean balanced(String page) {
        return Arrays.stream(page.split("\n", -1)).filter(line -> line.startsWith("```")).count() % 2 == 0;
    }
}
