package dev.claudebridge.core.transcript;

import static dev.claudebridge.core.transcript.Events.tool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.port.AgentEvent.ToolUse;
import dev.claudebridge.core.transcript.ToolLine.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ToolLinesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            Bash         | command       | ls -la           | 🔧 Bash `ls -la` ⏳
            Read         | file_path     | /w/a.txt         | 🔧 Read `/w/a.txt` ⏳
            Write        | file_path     | /w/b.txt         | 🔧 Write `/w/b.txt` ⏳
            Edit         | file_path     | /w/c.txt         | 🔧 Edit `/w/c.txt` ⏳
            MultiEdit    | file_path     | /w/d.txt         | 🔧 MultiEdit `/w/d.txt` ⏳
            NotebookEdit | notebook_path | /w/n.ipynb       | 🔧 NotebookEdit `/w/n.ipynb` ⏳
            Grep         | pattern       | TODO\\(          | 🔧 Grep `TODO\\(` ⏳
            Glob         | pattern       | **/*.java        | 🔧 Glob `**/*.java` ⏳
            WebFetch     | url           | https://x.dev/a  | 🔧 WebFetch `https://x.dev/a` ⏳
            WebSearch    | query         | reactor sample   | 🔧 WebSearch `reactor sample` ⏳
            Task         | description   | Find the bug     | 🔧 Task `Find the bug` ⏳
            Agent        | description   | Review it        | 🔧 Agent `Review it` ⏳
            TodoWrite    | todos         | ignored          | 🔧 TodoWrite ⏳
            """)
    void eachToolShowsItsOneTellingArgument(String name, String key, String value, String line) {
        assertThat(ToolLines.of(tool("id", name, Map.of(key, value))).text()).isEqualTo(line);
    }

    @Test
    void theStatusMarkIsTheLastCodePoint() {
        ToolLine running = ToolLines.of(tool("id", "Bash", Map.of("command", "make")));
        assertThat(running.withStatus(Status.OK).text()).isEqualTo("🔧 Bash `make` ✅");
        assertThat(running.withStatus(Status.FAILED).text()).isEqualTo("🔧 Bash `make` ❌");
    }

    @Test
    void aMissingOrNonScalarArgumentShowsTheNameOnly() {
        assertThat(ToolLines.of(tool("id", "Bash", Map.of())).text()).isEqualTo("🔧 Bash ⏳");
        assertThat(ToolLines.of(tool("id", "Read", Map.of("file_path", List.of("a")))).text())
                .isEqualTo("🔧 Read ⏳");
        assertThat(ToolLines.of(tool("id", "Bash", Map.of("command", " \n "))).text()).isEqualTo("🔧 Bash ⏳");
        assertThat(ToolLines.of(tool("id", "Grep", Map.of("pattern", 42))).text()).isEqualTo("🔧 Grep `42` ⏳");
    }

    @Test
    void notebookPathIsUsedWhenThereIsNoFilePath() {
        assertThat(ToolLines.argument("Read", Map.of("notebook_path", "/n.ipynb"))).isEqualTo("/n.ipynb");
    }

    @Test
    void newlinesCollapseToSpacesAndBackticksCannotEndTheCodeSpan() {
        String command = "git log \\\n  --oneline\r\n| head\necho `date` ```x```";
        ToolLine line = ToolLines.of(tool("id", "Bash", Map.of("command", command)));

        assertThat(line.argument()).isEqualTo("git log \\   --oneline | head echo ˋdateˋ ˋˋˋxˋˋˋ");
        assertThat(line.text()).isEqualTo("🔧 Bash `git log \\   --oneline | head echo ˋdateˋ ˋˋˋxˋˋˋ` ⏳")
                .doesNotContain("\n").containsOnlyOnce("`" + line.argument() + "`");
    }

    @Test
    void aLongArgumentIsCutTo200CodePointsEndingWithAnEllipsis() {
        String emoji = "😀".repeat(300); // surrogate pairs: 300 code points, 600 chars
        String argument = ToolLines.argument("Bash", Map.of("command", emoji));
        assertThat(argument.codePointCount(0, argument.length())).isEqualTo(200);
        assertThat(argument).isEqualTo("😀".repeat(199) + "…");

        String exact = "a".repeat(200);
        assertThat(ToolLines.argument("Bash", Map.of("command", exact))).isEqualTo(exact);
        assertThat(ToolLines.argument("Bash", Map.of("command", exact + "b"))).isEqualTo("a".repeat(199) + "…");
    }

    @Test
    void markdownInTheToolNameIsEscaped() {
        ToolLine line = ToolLines.of(tool("id", "mcp__github__create_issue", Map.of()));
        assertThat(line.text()).isEqualTo("🔧 mcp\\_\\_github\\_\\_create\\_issue ⏳");
        assertThat(line.name()).isEqualTo("mcp__github__create_issue");
    }

    @Test
    void inputJsonOver1500CodePointsNeedsAnAttachment() {
        assertThat(ToolLines.needsAttachment(withJson("x".repeat(1500)))).isFalse();
        assertThat(ToolLines.needsAttachment(withJson("x".repeat(1501)))).isTrue();
        assertThat(ToolLines.needsAttachment(withJson("😀".repeat(1000)))).isFalse(); // 2000 chars, 1000 code points
    }

    private static ToolUse withJson(String json) {
        return new ToolUse("id", "Write", Map.of(), json);
    }
}
