package dev.claudebridge.core.transcript;

import java.util.List;

/**
 * One frame of a reply: its pages in order, each one chat message, never empty and never over the renderer's limit.
 * A page that has a page after it is final (see {@link Renderer}), so while streaming only the last page changes.
 */
public record Rendered(List<String> pages) {

    public Rendered {
        pages = List.copyOf(pages);
        if (pages.isEmpty()) {
            throw new IllegalArgumentException("a rendering has at least one page");
        }
    }

    public String lastPage() {
        return pages.getLast();
    }
}
