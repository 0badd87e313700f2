package dev.claudebridge.deploy;

import dev.claudebridge.agent.process.CliEnvironment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which environment variable names mean something to the bot: the settings {@code BridgeConfig} reads (found in its
 * source: the quoted names it passes to the settings reader) and the names the CLI's allowlist passes on (asked of
 * {@link CliEnvironment#build} itself, so the check follows the allowlist as it is, docs/architecture.md §3.11).
 */
final class Wiring {

    private static final Pattern SETTING_READ = Pattern.compile("\\bs\\.\\w+\\(\\s*\"([A-Z][A-Z0-9_]*)\"");

    private Wiring() {
    }

    /** The settings BridgeConfig reads (the kubernetes runtime's in KubernetesConfig). */
    static Set<String> settings() {
        Set<String> names = new TreeSet<>();
        for (String file : List.of("BridgeConfig.java", "KubernetesConfig.java")) {
            Matcher m = SETTING_READ.matcher(Repo.read("src/main/java/dev/claudebridge/config/" + file));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Whether the CLI's environment would carry {@code name}, given the operator's passthrough list. */
    static boolean passedToCli(String name, List<String> passthrough) {
        Map<String, String> env = CliEnvironment.build(Map.of(name, "x"), passthrough, Path.of("/config"),
                Path.of("/tmp"));
        return env.containsKey(name);
    }

    static boolean isSettingOrCliName(String name, List<String> passthrough) {
        return settings().contains(name) || passedToCli(name, passthrough);
    }
}
