package dev.claudebridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.config.EnvFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code .env.example}, the template of {@code ./.env}: it lists every setting the bot reads, each under a comment
 * saying what it is, and nothing else; it is itself a valid settings file; and the README's settings table lists the
 * same names.
 */
final class EnvExampleTest {

    /** What the CLI needs that BridgeConfig does not read itself (CliEnvironment passes them on). */
    private static final Set<String> CLI_SETTINGS = Set.of("ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN",
            "ANTHROPIC_BASE_URL");
    /** The lines a new user must fill in; everything else has a default and is commented out. */
    private static final Set<String> REQUIRED = Set.of("DISCORD_TOKEN", "DISCORD_MAIN_CHANNEL_ID", "ALLOWED_USER_IDS",
            "ANTHROPIC_API_KEY");
    private static final Pattern SETTING_LINE = Pattern.compile("^(?:# )?([A-Z][A-Z0-9_]*)=.*$");

    private final List<String> lines = Repo.read(".env.example").lines().toList();

    @Test
    void listsEverySettingAndNothingElse() {
        Set<String> expected = new TreeSet<>(Wiring.settings());
        expected.addAll(CLI_SETTINGS);
        assertThat(expected).contains("DISCORD_TOKEN", "WORKSPACE_ROOT", "CLAUDE_BIN", "LOG_FORMAT");
        assertThat(settingLines().keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(settingLines().keySet()).allSatisfy(name -> assertThat(Wiring.isSettingOrCliName(name, List.of()))
                .as("%s is neither a setting nor a name the CLI gets", name).isTrue());
    }

    @Test
    void everySettingHasACommentAbove() {
        for (Map.Entry<String, Integer> setting : settingLines().entrySet()) {
            int i = setting.getValue() - 1;
            while (i >= 0 && SETTING_LINE.matcher(lines.get(i)).matches()) {
                i--; // settings grouped under one comment (INTERRUPT_WAIT, STOP_GRACE, KILL_AFTER)
            }
            assertThat(i).as("a comment above %s", setting.getKey()).isNotNegative();
            assertThat(lines.get(i)).as("the line above %s", setting.getKey()).startsWith("# ").hasSizeGreaterThan(10);
        }
    }

    /** Copied as it is, the file parses; only the required settings are active, and empty (so they read as unset). */
    @Test
    void isAValidSettingsFileWhoseActiveLinesAreTheRequiredOnes() {
        Map<String, String> parsed = EnvFile.read(Repo.path(".env.example"));
        assertThat(parsed.keySet()).containsExactlyInAnyOrderElementsOf(REQUIRED);
        assertThat(parsed.values()).allSatisfy(value -> assertThat(value).isEmpty());
    }

    @Test
    void theReadmeSettingsTableListsTheSameNames() {
        String readme = Repo.read("README.md");
        int start = readme.indexOf("| name | default | meaning |");
        assertThat(start).as("the settings table").isNotNegative();
        Set<String> inTable = new TreeSet<>();
        for (String row : readme.substring(start).lines().takeWhile(l -> l.startsWith("|")).toList()) {
            String firstCell = row.split("\\|")[1];
            Matcher name = Pattern.compile("`([A-Z][A-Z0-9_]*)`").matcher(firstCell);
            while (name.find()) {
                inTable.add(name.group(1));
            }
        }
        assertThat(inTable).containsExactlyInAnyOrderElementsOf(settingLines().keySet());
    }

    /** Each setting's name and its line index; a name listed twice fails. */
    private Map<String, Integer> settingLines() {
        Map<String, Integer> found = new LinkedHashMap<>();
        List<String> twice = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = SETTING_LINE.matcher(lines.get(i));
            if (m.matches() && found.put(m.group(1), i) != null) {
                twice.add(m.group(1));
            }
        }
        assertThat(twice).as("settings listed twice").isEmpty();
        return found;
    }
}
