package dev.claudebridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code .env} file: its format, and that the real environment wins over it. */
final class EnvFileTest {

    @TempDir
    Path dir;

    @Test
    void readsNamesValuesCommentsQuotesAndExport() {
        Map<String, String> settings = EnvFile.parse(".env", """
                # a comment
                DISCORD_TOKEN=abc.def.ghi

                   # an indented comment
                export DATA_DIR=/var/lib/bridge
                QUOTED="two  words # not a comment"
                SINGLE='$HOME stays'
                EMPTY=
                SPACED =  value with spaces   # a comment
                HASH=#not-a-comment
                EMPTY_WITH_COMMENT= # nothing
                UNEXPANDED=${HOME}/x
                EQUALS=a=b=c
                """);
        assertThat(settings).containsExactly(
                Map.entry("DISCORD_TOKEN", "abc.def.ghi"),
                Map.entry("DATA_DIR", "/var/lib/bridge"),
                Map.entry("QUOTED", "two  words # not a comment"),
                Map.entry("SINGLE", "$HOME stays"),
                Map.entry("EMPTY", ""),
                Map.entry("SPACED", "value with spaces"),
                Map.entry("HASH", "#not-a-comment"),
                Map.entry("EMPTY_WITH_COMMENT", ""),
                Map.entry("UNEXPANDED", "${HOME}/x"),
                Map.entry("EQUALS", "a=b=c"));
    }

    @Test
    void toleratesWindowsLineEndsAByteOrderMarkAndRepeatedNames() {
        Map<String, String> settings = EnvFile.parse(".env", "\uFEFFA=1\r\nB=\"2\"\r\nA=3\r\n");
        assertThat(settings).containsExactly(Map.entry("A", "3"), Map.entry("B", "2"));
    }

    @Test
    void theRealEnvironmentWinsOverTheFile() throws Exception {
        Path file = dir.resolve(".env");
        Files.writeString(file, "DISCORD_TOKEN=from-file\nQUEUE_LIMIT=3\nOPS_PORT=9000\n");
        Map<String, String> merged = EnvFile.under(Map.of("DISCORD_TOKEN", "from-env", "OPS_PORT", ""),
                EnvFile.read(file));
        assertThat(merged).containsEntry("DISCORD_TOKEN", "from-env")
                .containsEntry("QUEUE_LIMIT", "3")
                .containsEntry("OPS_PORT", ""); // set (if empty) in the environment: the environment's word counts
    }

    @Test
    void noFileIsNoSettings() {
        assertThat(EnvFile.read(dir.resolve(".env"))).isEmpty();
        assertThat(EnvFile.under(Map.of("A", "1"), EnvFile.read(dir.resolve(".env")))).isEqualTo(Map.of("A", "1"));
    }

    @Test
    void aMalformedLineIsNamedByItsNumberWithoutItsText() throws Exception {
        Path file = dir.resolve(".env");
        Files.writeString(file, "# settings\nDISCORD_TOKEN=ok\nsk-ant-secret-value-pasted-alone\n");
        assertThatThrownBy(() -> EnvFile.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + " line 3: expected NAME=value (a name of letters, digits and _, then =), or a "
                        + "comment starting with #")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> EnvFile.parse(".env", "A=1\n2BAD=x\n")).hasMessageStartingWith(".env line 2: ");
        assertThatThrownBy(() -> EnvFile.parse(".env", "A-B=x\n")).hasMessageStartingWith(".env line 1: ");
    }

    @Test
    void anUnclosedQuoteIsNamedByItsLineNumberWithoutTheValue() {
        assertThatThrownBy(() -> EnvFile.parse(".env", "A=1\n\nTOKEN=\"hunter2-secret\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(".env line 3: expected the quoted value to end with its opening quote")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> EnvFile.parse(".env", "TOKEN='abc'trailing-secret\n"))
                .hasMessageStartingWith(".env line 1: ")
                .hasMessageNotContaining("trailing-secret");
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedWithoutItsContent() throws Exception {
        Path file = dir.resolve(".env");
        Files.write(file, "TOKEN=caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> EnvFile.read(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": expected a UTF-8 text file of NAME=value lines");
    }
}
