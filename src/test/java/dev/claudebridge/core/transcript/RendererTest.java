package dev.claudebridge.core.transcript;

import static dev.claudebridge.core.transcript.Events.end;
import static dev.claudebridge.core.transcript.Events.failed;
import static dev.claudebridge.core.transcript.Events.fold;
import static dev.claudebridge.core.transcript.Events.ok;
import static dev.claudebridge.core.transcript.Events.text;
import static dev.claudebridge.core.transcript.Events.tool;
import static dev.claudebridge.core.transcript.PageText.codePoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudebridge.core.port.AgentEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class RendererTest {

    private static final String FOOTER = "—\n⏱ 12.3 s · $0.0042";
    private final Renderer renderer = new Renderer(2000);

    @Test
    void anEmptyTranscriptIsOnePlaceholderPage() {
        assertThat(renderer.render(Transcript.empty()).pages()).containsExactly("⏳ …");
    }

    @Test
    void aShortReplyIsOnePageWithTheTextAsIs() {
        Transcript t = fold(text("Hello, **world**! @everyone <@123>\n"), text("Bye."));
        assertThat(renderer.render(t).pages()).containsExactly("Hello, **world**! @everyone <@123>\nBye.");
    }

    @Test
    void toolLinesStandOnTheirOwnLinesWhereTheyHappened() {
        Transcript t = fold(tool("0", "Glob", Map.of("pattern", "*.md")), ok("0"),
                text("Let me look."), end(),
                tool("1", "Bash", Map.of("command", "ls")), tool("2", "Read", Map.of("file_path", "/a")),
                ok("1"), failed("2"),
                text("Done."), end(), text("Really."),
                tool("3", "Bash", Map.of("command", "make")));

        String page = renderer.render(t).lastPage();
        assertThat(page).isEqualTo("""
                🔧 Glob `*.md` ✅
                Let me look.
                🔧 Bash `ls` ✅
                🔧 Read `/a` ❌

                Done.

                Really.
                🔧 Bash `make` ⏳""");
        assertThat(PageText.withoutToolLines(page)).isEqualTo(t.text()).isEqualTo("Let me look.\n\nDone.\n\nReally.");
    }

    @Test
    void theFooterEndsTheLastPage() {
        Transcript t = fold(text("The answer is 4."));
        assertThat(renderer.render(t, Optional.of(FOOTER)).pages())
                .containsExactly("The answer is 4.\n—\n⏱ 12.3 s · $0.0042");
        assertThat(renderer.render(Transcript.empty(), Optional.of(FOOTER)).pages()).containsExactly(FOOTER);
    }

    @Test
    void aFooterThatDoesNotFitGoesOnAPageOfItsOwn() {
        String text = "x".repeat(1930);
        String longFooter = "—\n" + "f".repeat(80);
        List<String> pages = renderer.render(fold(text(text)), Optional.of(longFooter)).pages();
        assertThat(pages).containsExactly(text, longFooter);

        String fits = "—\n" + "f".repeat(67); // 1930 + 1 + 69 = 2000
        assertThat(renderer.render(fold(text(text)), Optional.of(fits)).pages()).containsExactly(text + "\n" + fits);
    }

    @Test
    void anInterruptedReplyEndsWithTheMarkerOutsideAnOpenCodeBlock() {
        Transcript t = fold(text("Here:\n```py\nx = 1"), new AgentEvent.Interrupted());
        assertThat(renderer.render(t, Optional.of(FOOTER)).pages())
                .containsExactly("Here:\n```py\nx = 1\n```\n⏹️ Interrupted.\n—\n⏱ 12.3 s · $0.0042");
        assertThat(renderer.render(fold(new AgentEvent.Interrupted())).pages()).containsExactly("⏹️ Interrupted.");
    }

    @Test
    void theRetryNoticeShowsAtTheEndUntilTextContinues() {
        Transcript waiting = fold(text("Hi"), new AgentEvent.Retrying(2, 10, "overloaded"));
        assertThat(renderer.render(waiting).pages())
                .containsExactly("Hi\n⚠️ API error, retrying (attempt 2/10)…");
        assertThat(renderer.render(waiting.apply(text(" there"))).pages()).containsExactly("Hi there");
    }

    @Test
    void theStatusLineNeitherMovesABreakNorOverfillsAPage() {
        String notice = "⚠️ API error, retrying (attempt 10/10)…";
        for (int n = 1880; n <= 2010; n += 2) {
            Transcript t = fold(text("😀".repeat(n)));
            List<String> plain = renderer.render(t).pages();
            List<String> retrying = renderer.render(t.apply(new AgentEvent.Retrying(10, 10, "e"))).pages();
            List<String> stopped = renderer.render(t.apply(new AgentEvent.Interrupted())).pages();

            assertThat(retrying).hasSameSizeAs(plain).allMatch(page -> codePoints(page) <= 2000);
            assertThat(stopped).hasSameSizeAs(plain).allMatch(page -> codePoints(page) <= 2000);
            assertThat(retrying.subList(0, plain.size() - 1)).isEqualTo(plain.subList(0, plain.size() - 1));
            assertThat(retrying.getLast()).isEqualTo(plain.getLast() + "\n" + notice);
            assertThat(stopped.getLast()).isEqualTo(plain.getLast() + "\n⏹️ Interrupted.");
        }
    }

    @Test
    void codePointsAreCountedAndNoSurrogatePairIsSplit() {
        // 4500 emoji (9000 chars) and a lone letter in front so the pairs do not line up with even offsets.
        String text = "a" + "😀".repeat(4500);
        List<String> pages = renderer.render(fold(text(text))).pages();

        assertThat(pages).hasSize(3);
        for (String page : pages) {
            assertThat(codePoints(page)).isLessThanOrEqualTo(2000);
            assertThat(Character.isLowSurrogate(page.charAt(0))).isFalse();
            assertThat(Character.isHighSurrogate(page.charAt(page.length() - 1))).isFalse();
        }
        assertThat(codePoints(pages.getFirst())).isGreaterThan(1900); // a hard break uses the page
        assertThat(String.join("", pages)).isEqualTo(text);
    }

    @Test
    void breaksPreferANewlineThenASpaceAndKeepItAtTheEndOfThePage() {
        String line = "word ".repeat(100).strip() + "\n"; // 500 chars
        String text = line.repeat(5);
        List<String> pages = renderer.render(fold(text(text))).pages();
        assertThat(pages).containsExactly(line.repeat(3), line.repeat(2));

        String prose = "word ".repeat(500); // 2500 chars, no newline
        List<String> prosePages = renderer.render(fold(text(prose))).pages();
        assertThat(prosePages.getFirst()).endsWith("word ").isEqualTo("word ".repeat(387));
        assertThat(String.join("", prosePages)).isEqualTo(prose);
    }

    @Test
    void aPageCutInsideACodeBlockIsClosedAndTheNextReopensItWithItsLanguage() {
        String code = "```java\n" + "int x = 0; // filler filler filler\n".repeat(80) + "```\n";
        String text = "Intro.\n" + code + "Outro.";
        List<String> pages = renderer.render(fold(text(text))).pages();

        assertThat(pages).hasSize(2);
        assertThat(pages.get(0)).startsWith("Intro.\n```java\n").endsWith("filler\n\n```");
        assertThat(pages.get(1)).startsWith("```java\nint x = 0;").endsWith("```\nOutro.");
        assertThat(pages).allMatch(PageText::balanced);
        assertThat(PageText.text(pages)).isEqualTo(text);
    }

    @Test
    void aPageDoesNotEndRightAfterAFenceOpens() {
        // The window's last newline would follow "```sh": an empty block. The break goes before the fence instead.
        String before = "p".repeat(1925) + "\n";
        String text = before + "```sh\n" + "echo hi\n".repeat(10) + "```\n";
        List<String> pages = renderer.render(fold(text(text))).pages();
        assertThat(pages.getFirst()).isEqualTo(before);
        assertThat(pages.get(1)).startsWith("```sh\necho hi\n");
    }

    @Test
    void aLongAnswerWithSeveralCodeBlocksSplitsIntoBalancedPagesThatGiveBackTheText() {
        String answer = LongAnswer.text();
        assertThat(answer.length()).isBetween(6000, 7000);
        List<String> pages = renderer.render(fold(LongAnswer.deltas(answer, 37)), Optional.of(FOOTER)).pages();

        assertThat(pages.size()).isBetween(4, 5);
        assertThat(pages).allSatisfy(page -> {
            assertThat(codePoints(page)).isLessThanOrEqualTo(2000);
            assertThat(page).matches(PageText::balanced, "balanced fences");
        });
        long reopened = pages.stream().skip(1).filter(p -> p.matches("(?s)```(python|java|bash)\n.*")).count();
        assertThat(reopened).as("pages that reopen a block cut by the page before").isGreaterThanOrEqualTo(2);
        assertThat(PageText.withoutToolLines(PageText.body(pages, FOOTER, null, false))).isEqualTo(answer);
        assertReopenedWithTheLanguageOfTheCutBlock(pages);
    }

    @Test
    void pagesThatHaveAPageAfterThemNeverChangeWhileTextStreamsIn() {
        String first = LongAnswer.text();
        String second = LongAnswer.text().replace("python", "rust");
        // A tool call between two answers and a retry in the middle of the second, as in a real turn.
        List<AgentEvent> events = new ArrayList<>(LongAnswer.deltas(first, 7));
        events.addAll(List.of(end(), tool("t", "Bash", Map.of("command", "pytest -q")), ok("t")));
        List<AgentEvent> rest = new ArrayList<>(LongAnswer.deltas(second, 5));
        rest.add(rest.size() / 2, new AgentEvent.Retrying(2, 10, "overloaded"));
        events.addAll(rest);

        Map<Integer, String> settled = new HashMap<>();
        Transcript t = Transcript.empty();
        int pagesBefore = 1;
        for (AgentEvent event : events) {
            t = t.apply(event);
            List<String> pages = renderer.render(t).pages();
            assertThat(pages.size()).isGreaterThanOrEqualTo(pagesBefore);
            assertThat(pages).allMatch(page -> codePoints(page) <= 2000);
            pagesBefore = pages.size();
            for (int i = 0; i < pages.size() - 1; i++) {
                String before = settled.putIfAbsent(i, pages.get(i));
                assertThat(pages.get(i)).as("page %d", i).isEqualTo(before == null ? pages.get(i) : before);
            }
        }
        assertThat(settled).hasSizeGreaterThanOrEqualTo(6);
        assertThat(t.text()).isEqualTo(first + "\n\n" + second);
        assertThat(PageText.text(renderer.render(t).pages())).isEqualTo(t.text());
    }

    @Test
    void theLimitIsAParameter() {
        Renderer small = new Renderer(200);
        String text = "abc ".repeat(300);
        List<String> pages = small.render(fold(text(text))).pages();
        assertThat(pages).allMatch(page -> codePoints(page) <= 200);
        assertThat(String.join("", pages)).isEqualTo(text);
        assertThatThrownBy(() -> new Renderer(199)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertReopenedWithTheLanguageOfTheCutBlock(List<String> pages) {
        for (int i = 0; i < pages.size() - 1; i++) {
            if (pages.get(i).endsWith("\n```")) {
                String withoutClose = pages.get(i).substring(0, pages.get(i).length() - 4);
                String lastFence = withoutClose.lines().filter(l -> l.startsWith("```")).reduce((a, b) -> b)
                        .orElseThrow();
                assertThat(pages.get(i + 1).lines().findFirst()).contains(lastFence);
            }
        }
    }
}
