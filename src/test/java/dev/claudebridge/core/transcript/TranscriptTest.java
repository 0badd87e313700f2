package dev.claudebridge.core.transcript;

import static dev.claudebridge.core.transcript.Events.end;
import static dev.claudebridge.core.transcript.Events.failed;
import static dev.claudebridge.core.transcript.Events.fold;
import static dev.claudebridge.core.transcript.Events.ok;
import static dev.claudebridge.core.transcript.Events.text;
import static dev.claudebridge.core.transcript.Events.tool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.port.AgentEvent;
import dev.claudebridge.core.transcript.ToolLine.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class TranscriptTest {

    @Test
    void theEmptyTranscriptHasNothing() {
        Transcript empty = Transcript.empty();
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.text()).isEmpty();
        assertThat(empty.items()).isEmpty();
        assertThat(empty.tools()).isEmpty();
        assertThat(empty.retry()).isEmpty();
        assertThat(empty.interrupted()).isFalse();
    }

    @Test
    void deltasExtendAParagraphAndABlockEndOrAToolStartsANewOne() {
        Transcript t = fold(text("Hel"), text("lo"), text(""), end(), end(), text("Let me "), text("look."),
                tool("t1", "Bash", Map.of("command", "ls")), text(" Done.\n"));

        assertThat(t.items()).containsExactly(
                new Item.Text("Hello"),
                new Item.Text("Let me look."),
                new Item.Tool(new ToolLine("t1", "Bash", "ls", Status.RUNNING)),
                new Item.Text(" Done.\n"));
        assertThat(t.text()).isEqualTo("Hello\n\nLet me look.\n\n Done.\n");
        assertThat(t.isEmpty()).isFalse();
    }

    @Test
    void toolResultsSetTheStatusOfTheirOwnLine() {
        Transcript t = fold(tool("a", "Read", Map.of("file_path", "/x")), tool("b", "Bash", Map.of("command", "rm")),
                tool("c", "Glob", Map.of("pattern", "*.java")), failed("b"), ok("a"), ok("unknown"));

        assertThat(t.tools()).extracting(ToolLine::id, ToolLine::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a", Status.OK),
                org.assertj.core.groups.Tuple.tuple("b", Status.FAILED),
                org.assertj.core.groups.Tuple.tuple("c", Status.RUNNING));
        assertThat(t.text()).isEmpty();
    }

    @Test
    void theRetryNoticeIsReplacedByTheNextAndGoesWhenTextContinues() {
        Transcript first = fold(text("Hi"), new AgentEvent.Retrying(2, 10, "overloaded"));
        Transcript second = first.apply(new AgentEvent.Retrying(3, 10, "overloaded"));
        Transcript resumed = second.apply(text(" there"));

        assertThat(first.retry()).contains(new AgentEvent.Retrying(2, 10, "overloaded"));
        assertThat(second.retry()).contains(new AgentEvent.Retrying(3, 10, "overloaded"));
        assertThat(resumed.retry()).isEmpty();
        assertThat(resumed.text()).isEqualTo("Hi there"); // a retry does not start a paragraph
        assertThat(second.apply(tool("t", "Bash", Map.of())).retry()).isEmpty();
    }

    @Test
    void anInterruptEndsTheRetryNotice() {
        Transcript t = fold(text("partial"), new AgentEvent.Retrying(1, 10, "e"), new AgentEvent.Interrupted());
        assertThat(t.interrupted()).isTrue();
        assertThat(t.retry()).isEmpty();
        assertThat(t.text()).isEqualTo("partial");
    }

    @Test
    void applyingLeavesEveryEarlierTranscriptAsItWasEvenWhenBranching() {
        Transcript base = fold(text("abc"), tool("t", "Bash", Map.of("command", "x")));
        Transcript left = base.apply(text("LEFT"));
        Transcript right = base.apply(text("RIGHT")); // applied to an older snapshot: must not see LEFT
        Transcript leftMore = left.apply(text("+")).apply(ok("t"));

        assertThat(base.text()).isEqualTo("abc");
        assertThat(left.text()).isEqualTo("abc\n\nLEFT");
        assertThat(right.text()).isEqualTo("abc\n\nRIGHT");
        assertThat(leftMore.text()).isEqualTo("abc\n\nLEFT+");
        assertThat(right.apply(text("!")).text()).isEqualTo("abc\n\nRIGHT!");
        assertThat(left.tools()).extracting(ToolLine::status).containsExactly(Status.RUNNING);
        assertThat(leftMore.tools()).extracting(ToolLine::status).containsExactly(Status.OK);
    }

    @Test
    void foldsFromTheEmptyTranscriptShareNothing() {
        Transcript first = Transcript.empty().apply(text("first"));
        Transcript second = Transcript.empty().apply(text("second"));
        assertThat(first.apply(text("!")).text()).isEqualTo("first!");
        assertThat(second.apply(text("?")).text()).isEqualTo("second?");
        assertThat(Transcript.empty().text()).isEmpty();
    }

    @Test
    void textIsEveryDeltaExactlyWithTheSeparatorBetweenParagraphs() {
        List<AgentEvent> events = new ArrayList<>();
        StringBuilder expected = new StringBuilder();
        String[] blocks = {"é😀 first\r\n", "```py\nx = 1\n", "  spaces  ", "\n"};
        for (int i = 0; i < blocks.length; i++) {
            for (int c = 0; c < blocks[i].length(); c += 3) {
                // Deltas may even split a surrogate pair: the text is still byte-exact once joined.
                events.add(text(blocks[i].substring(c, Math.min(blocks[i].length(), c + 3))));
            }
            events.add(i % 2 == 0 ? end() : tool("t" + i, "Bash", Map.of("command", "c")));
            expected.append(i == 0 ? "" : "\n\n").append(blocks[i]);
        }
        assertThat(fold(events).text()).isEqualTo(expected.toString());
    }

    @Test
    void aLongReplyFoldsInLinearTime() {
        List<AgentEvent> events = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            events.add(text(i % 50 == 49 ? "line\n" : "word"));
            if (i % 1000 == 999) {
                events.add(tool("t" + i, "Bash", Map.of("command", "make")));
                events.add(ok("t" + i));
            }
        }
        fold(text("warm"), end(), tool("w", "Bash", Map.of()), ok("w")); // class loading and switch bootstraps
        long start = System.nanoTime();
        Transcript t = fold(events);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(t.text()).hasSize(5_000 * 4 + 100 + 4 * 2); // 100 newlines, 4 separators after the tools
        assertThat(millis).as("fold time in ms").isLessThan(100);
    }
}
