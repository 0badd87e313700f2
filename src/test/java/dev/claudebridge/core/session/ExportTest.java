package dev.claudebridge.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.port.SessionStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** /export's document: every turn when it fits; past the cap the newest turns that fit, and it says so. */
final class ExportTest {

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    private static SessionStore.TurnRecord turn(String prompt, String reply) {
        return new SessionStore.TurnRecord("fake", "t1", "owner", prompt, reply, List.of("🔧 Bash `ls` ✅"), "ok",
                new BigDecimal("0.01"), 10, 5, Duration.ofSeconds(2), T0, T0.plusSeconds(2));
    }

    private static ThreadSession.Identity identity() {
        return new ThreadSession.Identity("fake", "t1", "title", "main", "guild", "owner", Path.of("/w"),
                Optional.of("opus"), T0);
    }

    @Test
    void aShortSessionIsExportedWhole() {
        Export.Builder export = new Export.Builder(Export.MAX_BYTES).add(turn("one?", "One.")).add(turn("two?", "Two."));
        String md = export.markdown(identity());
        assertThat(md).contains("# title", "## Turn 1", "> one?", "One.", "## Turn 2", "Two.", "🔧 Bash `ls` ✅")
                .doesNotContain("Only the last");
        assertThat(Texts.exported(export.kept(), export.total(), Export.MAX_BYTES)).endsWith("2 turn(s).");
    }

    @Test
    void pastTheCapTheOldestTurnsAreLeftOutAndTheDocumentSaysSo() {
        int cap = 10_000;
        Export.Builder export = new Export.Builder(cap);
        for (int i = 1; i <= 50; i++) {
            export.add(turn("prompt " + i, ("reply " + i + " ").repeat(100)));
        }
        String md = export.markdown(identity());
        assertThat(md.getBytes(StandardCharsets.UTF_8).length).isLessThan(cap + 1000);
        assertThat(md).contains("## Turn 50", "reply 50").doesNotContain("## Turn 1 ", "prompt 1\n")
                .contains("Only the last " + export.kept() + " of 50 turns");
        assertThat(export.kept()).isBetween(2, 49);
        assertThat(Texts.exported(export.kept(), 50, cap)).contains("the last " + export.kept() + " of 50 turns");
    }
}
