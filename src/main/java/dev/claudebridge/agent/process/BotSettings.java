package dev.claudebridge.agent.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * The bot's own settings for every CLI, passed inline with {@code --settings} (the CLI takes a JSON string), so no
 * file the agent's tools could rewrite holds them; with {@code --setting-sources ""} they and the managed settings
 * are the only settings the CLI reads. They deny the agent's file tools the bot's own data: the database files
 * under {@code DATA_DIR} (every session's transcript and totals) and the conversations the CLI keeps for every
 * session under {@code CLAUDE_CONFIG_DIR/projects} (another session's included). A denied call is refused without
 * asking the owner. Bash is not covered by these rules: the owner sees and approves every command.
 */
public final class BotSettings {

    private static final String[] FILE_TOOLS = {"Read", "Edit", "Write", "MultiEdit", "NotebookEdit", "Grep",
        "Glob"};

    private BotSettings() {
    }

    /** The settings JSON for a CLI whose bot keeps its data in {@code dataDir} and the CLI's in {@code configDir}. */
    public static String json(ObjectMapper mapper, Path dataDir, Path configDir) {
        return json(mapper, dataDir, configDir, false);
    }

    /**
     * As {@link #json(ObjectMapper, Path, Path)}; with {@code bypassAllowed} ({@code ALLOW_BYPASS_PERMISSIONS}) bypass
     * mode is not disabled, so the owner may switch a session to it ({@code /mode bypassPermissions}).
     */
    public static String json(ObjectMapper mapper, Path dataDir, Path configDir, boolean bypassAllowed) {
        ObjectNode settings = mapper.createObjectNode();
        ObjectNode permissions = settings.putObject("permissions");
        ArrayNode deny = permissions.putArray("deny");
        for (String tool : FILE_TOOLS) {
            // "//" starts an absolute path in a permission rule ("/" would be relative to a settings file).
            deny.add(tool + "(/" + dataDir.toAbsolutePath().normalize() + "/*.db)");
            deny.add(tool + "(/" + configDir.toAbsolutePath().normalize().resolve("projects") + "/**)");
        }
        if (!bypassAllowed) {
            permissions.put("disableBypassPermissionsMode", "disable");
        }
        settings.put("enableAllProjectMcpServers", false);
        return settings.toString();
    }
}
