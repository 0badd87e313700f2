package dev.claudebridge.agent.process;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CLI's environment, built from an allowlist (docs/architecture.md §3.11): the child never sees the bot's own
 * secrets (the Discord token, the database password), only what it needs and the names the operator listed.
 */
public final class CliEnvironment {

    /** Always passed when set. */
    static final List<String> BASE = List.of("PATH", "LANG", "HOME", "ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN",
            "ANTHROPIC_BASE_URL");

    /** Never passed, even when listed: they would make the child think it runs inside Claude Code or a debugger. */
    static final Set<String> REMOVED = Set.of("CLAUDECODE", "NODE_OPTIONS");

    private CliEnvironment() {
    }

    /**
     * @param source      the configured environment (the bot's, or a test's map)
     * @param passthrough extra names the operator allowed ({@code CLAUDE_ENV_PASSTHROUGH})
     * @param configDir   the CLI's state directory ({@code CLAUDE_CONFIG_DIR})
     * @param tmpDir      the CLI's scratch directory ({@code CLAUDE_CODE_TMPDIR})
     */
    public static Map<String, String> build(Map<String, String> source, List<String> passthrough, Path configDir,
            Path tmpDir) {
        Map<String, String> env = new HashMap<>();
        for (String name : BASE) {
            copy(source, env, name);
        }
        for (String name : passthrough) {
            copy(source, env, name);
        }
        env.put("CLAUDE_CONFIG_DIR", configDir.toString());
        env.put("CLAUDE_CODE_TMPDIR", tmpDir.toString());
        REMOVED.forEach(env::remove);
        return Map.copyOf(env);
    }

    private static void copy(Map<String, String> from, Map<String, String> to, String name) {
        String value = from.get(name);
        if (value != null) {
            to.put(name, value);
        }
    }
}
