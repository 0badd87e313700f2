package dev.claudebridge.core.transcript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.port.AgentEvent;
import dev.claudebridge.testkit.Fuzz;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link Pager} and {@link Fences}, and of the {@link Renderer} pages built from them, on random
 * markdown (docs/reliability.md). The fence oracle here is written from the rule {@link Fences} states (a line whose
 * first non-space character, after at most three spaces, begins three backticks opens or closes a block), applied
 * to each page as the chat shows it, on its own:
 * <ul>
 * <li>the chunks are contiguous, not empty, and concatenate to the body exactly;</li>
 * <li>each page (reopened fence + chunk + added close) is at most the room, in code points;</li>
 * <li>each page is balanced: it ends outside any code block;</li>
 * <li>a page ends inside a block (an added close) exactly when the body is inside one at the chunk's end, and the
 * next page reopens it with the language of the line that opened it (or bare);</li>
 * <li>the pages, with the added fences taken off by the recipe in {@link Renderer}'s javadoc (which sees only the
 * page texts), give the body back exactly, and {@link Transcript#text()} once tool lines are removed;</li>
 * <li>appending text never changes a page that has a page after it.</li>
 * </ul>
 */
final class PagerFuzzTest {

    private static final Pattern FENCE_LINE = Pattern.compile("^ {0,3}```");
    /** The language word: ASCII letters, digits and _+-.#, ended by any whitespace (U+2028 too) or the text's end. */
    private static final Pattern OPENING = Pattern.compile("^ {0,3}```+[ \\t]*([A-Za-z0-9_+\\-.#]*)(\\s|$)",
            Pattern.UNICODE_CHARACTER_CLASS);
    /** Kept free on every page for the status line, as the renderer does. */
    private static final int STATUS_RESERVE = 1 + Math.max(
            PageText.codePoints(Renderer.retryNotice(new AgentEvent.Retrying(Integer.MIN_VALUE, Integer.MIN_VALUE,
                    ""))), PageText.codePoints(Renderer.INTERRUPTED));

    record Case(String body, int limit) {
        int room() {
            return limit - STATUS_RESERVE;
        }

        @Override
        public String toString() {
            return "limit " + limit + " (room " + room() + "), body " + Fuzz.literal(body);
        }
    }

    @Test
    void pagesHoldTheBodyWithinTheLimitWithBalancedFences() {
        Fuzz.property("Pager: random markdown", PagerFuzzTest::generate)
                .tries(10_000).shrinking(PagerFuzzTest::shrink)
                .check(c -> checkPages(c.body(), c.room()));
    }

    @Test
    void appendingTextNeverChangesAPageThatHasAPageAfterIt() {
        Fuzz.property("Pager: pages before the last are final while text is appended", random -> {
            Case c = generate(random);
            return new Case(c.body(), c.limit());
        }).tries(4000).shrinking(PagerFuzzTest::shrink).check(c -> {
            Pager pager = new Pager(c.room());
            List<Pager.Chunk> whole = pager.chunks(c.body());
            Random cuts = new Random(c.body().hashCode());
            for (int n = 0; n < 8 && !c.body().isEmpty(); n++) {
                int cut = cuts.nextInt(c.body().length() + 1);
                List<Pager.Chunk> prefix = pager.chunks(c.body().substring(0, cut));
                for (int i = 0; i < prefix.size() - 1; i++) {
                    assertThat(whole.get(i)).as("page %d of the first %d characters", i, cut)
                            .isEqualTo(prefix.get(i));
                }
            }
        });
    }

    /** Through the public renderer: the body streamed as deltas in random pieces, rendered at every step. */
    @Test
    void aStreamedReplyRendersToPagesThatGiveItsTextBack() {
        // Text lines that look like tool lines are the one ambiguity the recipe documents: here tools are not text.
        Fuzz.property("Renderer: a streamed random reply", random -> {
            Case c = generate(random);
            return new Case(c.body().replace("🔧", "🔨"), c.limit());
        })
                .tries(1500).shrinking(PagerFuzzTest::shrink).check(c -> {
                    Renderer renderer = new Renderer(c.limit());
                    Random pieces = new Random(c.body().hashCode());
                    Transcript transcript = Transcript.empty();
                    List<String> before = List.of();
                    for (int at = 0; at < c.body().length();) {
                        int end = Math.min(c.body().length(), at + 1 + pieces.nextInt(400));
                        if (end < c.body().length() && Character.isLowSurrogate(c.body().charAt(end))) {
                            end++; // the CLI's deltas are strings: never half a character
                        }
                        transcript = transcript.apply(new AgentEvent.TextDelta(c.body().substring(at, end)));
                        at = end;
                        List<String> pages = renderer.render(transcript).pages();
                        for (String page : pages) {
                            assertThat(PageText.codePoints(page)).isLessThanOrEqualTo(c.limit());
                            assertThat(openAtEnd(page)).as("page ends inside a code block: %s", page).isFalse();
                        }
                        assertThat(pages.size()).isGreaterThanOrEqualTo(before.size());
                        assertThat(pages.subList(0, Math.max(0, before.size() - 1)))
                                .isEqualTo(before.subList(0, Math.max(0, before.size() - 1)));
                        String text = transcript.text();
                        assertThat(PageText.withoutToolLines(PageText.body(pages, null, null, openAtEnd(text))))
                                .isEqualTo(text);
                        before = pages;
                    }
                });
    }

    /**
     * Found by {@link #pagesHoldTheBodyWithinTheLimitWithBalancedFences}: a break at the space before a mid-line
     * {@code ```} started the next page with it, and the chat reads a page on its own, so that page opened a code
     * block the body does not have (and paired it with the next real fence, turning code into text and text into
     * code).
     */
    @Test
    void aPageNeverStartsMidLineWithAFence() {
        Case found = new Case("naïve ````" + "x".repeat(130), Renderer.MIN_LIMIT);
        checkPages(found.body(), found.room());
        String prose = "see " + "word ".repeat(26) + "```inline``` then\n```python\nprint(1)\n```\n";
        checkPages(prose, Renderer.MIN_LIMIT - STATUS_RESERVE);
        assertThat(new Pager(Renderer.MIN_LIMIT - STATUS_RESERVE).chunks(prose))
                .allSatisfy(chunk -> assertThat(prose.charAt(chunk.start())).isNotEqualTo('`'));
    }

    private static void checkPages(String body, int room) {
        List<Pager.Chunk> chunks = new Pager(room).chunks(body);
        List<String> pages = new ArrayList<>();
        int at = 0;
        String info = null;
        for (Pager.Chunk chunk : chunks) {
            assertThat(chunk.start()).isEqualTo(at);
            assertThat(chunk.end()).isGreaterThan(chunk.start());
            assertThat(chunk.infoAtStart()).isEqualTo(info);
            String opener = openerAt(body, chunk.end());
            assertThat(chunk.infoAtEnd() != null).as("inside a block at %d", chunk.end()).isEqualTo(opener != null);
            if (opener != null) {
                assertThat(chunk.infoAtEnd()).isIn("", language(opener));
            }
            String page = (chunk.infoAtStart() == null ? "" : Pager.reopen(chunk.infoAtStart()))
                    + body.substring(chunk.start(), chunk.end()) + (chunk.infoAtEnd() == null ? "" : Pager.CLOSE);
            assertThat(PageText.codePoints(page)).as("page %s", Fuzz.literal(page)).isLessThanOrEqualTo(room);
            assertThat(openAtEnd(page)).as("page ends inside a code block: %s", Fuzz.literal(page)).isFalse();
            pages.add(page);
            at = chunk.end();
            info = chunk.infoAtEnd();
        }
        assertThat(at).isEqualTo(body.length());
        // The recipe sees only the pages: an added close is "\n```" at a page's end, an added reopening the next
        // page's first line; the last page's close is added only when the body itself ends inside a block.
        if (!pages.isEmpty()) {
            assertThat(PageText.body(pages, null, null, openAtEnd(body))).isEqualTo(body);
        }
    }

    /** Whether {@code text}, read on its own line by line, ends inside a code block. */
    static boolean openAtEnd(String text) {
        return openerAt(text, text.length()) != null;
    }

    /** The fence line that opened the block {@code text} is in just before {@code end} (a line started before it). */
    private static String openerAt(String text, int end) {
        String opener = null;
        int lineStart = 0;
        while (lineStart < end) {
            int newline = text.indexOf('\n', lineStart);
            String line = text.substring(lineStart, newline < 0 ? text.length() : newline);
            if (FENCE_LINE.matcher(line).find()) {
                opener = opener == null ? line : null;
            }
            if (newline < 0) {
                break;
            }
            lineStart = newline + 1;
        }
        return opener;
    }

    private static String language(String openingLine) {
        Matcher m = OPENING.matcher(openingLine);
        return m.find() && m.group(1).length() <= Fences.MAX_INFO ? m.group(1) : "";
    }

    // ---- random markdown ----

    private static final String[] WORDS = {"the", "a", "reply", "**bold**", "_it_", "`code`", "x=1;", "é", "naïve",
        "中文", "🎉", "👩‍💻", "e\u0301", "<@123>", "@everyone", "https://example.com/a?b=c", "~~~", "``",
        "`",
        "1.", "-", "#", ">", "|", "\\", "\t", "\r", "\u00a0", "\u2028"};
    private static final String[] LANGUAGES = {"", "python", "js", "c++", "objective-c", "diff", "sh", "x".repeat(40),
        "py extra words", "lang`x", "  java", "\tgo"};

    private static Case generate(Random random) {
        int limit = random.nextInt(4) == 0 ? 2000 : Renderer.MIN_LIMIT + random.nextInt(1800);
        int target = random.nextInt(3) == 0 ? random.nextInt(200) : random.nextInt(6 * limit);
        StringBuilder body = new StringBuilder();
        while (body.length() < target) {
            boolean lineStart = body.isEmpty() || body.charAt(body.length() - 1) == '\n';
            switch (random.nextInt(14)) {
                case 0, 1 -> { // a fence line: sometimes indented past three spaces (not a fence), sometimes longer
                    if (!lineStart) {
                        body.append('\n');
                    }
                    body.append(" ".repeat(random.nextInt(6) == 0 ? 4 : random.nextInt(4)))
                            .append("`".repeat(3 + (random.nextInt(5) == 0 ? 1 : 0)))
                            .append(LANGUAGES[random.nextInt(LANGUAGES.length)]).append('\n');
                }
                case 2 -> body.append("```"); // mid-line: not a fence, unless a page starts there
                case 3 -> body.append('\n');
                case 4 -> body.append("\n\n");
                case 5 -> body.append(" ".repeat(1 + random.nextInt(40)));
                case 6 -> body.append("x".repeat(1 + random.nextInt(random.nextBoolean() ? 30 : 2500)));
                case 7 -> body.append(lineStart ? "🔧 Bash `ls` ✅\n" : "\n🔧 Read `/a` ⏳\n");
                default -> body.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(4) == 0 ? "" : " ");
            }
        }
        return new Case(body.toString(), limit);
    }

    private static Stream<Case> shrink(Case c) {
        return Stream.concat(
                Fuzz.shrinkString(c.body()).map(b -> new Case(b, c.limit())),
                c.limit() > Renderer.MIN_LIMIT ? Stream.of(new Case(c.body(), Renderer.MIN_LIMIT)) : Stream.empty());
    }
}
