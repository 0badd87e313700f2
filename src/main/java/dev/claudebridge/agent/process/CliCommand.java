package dev.claudebridge.agent.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to start: the CLI binary with the flags the bot always needs, the optional ones of a session, a working
 * directory and the complete environment of the child (built by {@link CliEnvironment}, never inherited).
 */
public record CliCommand(
        String binary,
        Path workingDirectory,
        Map<String, String> environment,
        Optional<String> resume,
        Optional<String> model,
        Optional<String> permissionMode,
        List<String> allowedTools,
        List<String> disallowedTools,
        Optional<String> appendSystemPrompt,
        Optional<String> settings,
        boolean bypassAllowed) {

    public CliCommand {
        environment = Map.copyOf(environment);
        allowedTools = List.copyOf(allowedTools);
        disallowedTools = List.copyOf(disallowedTools);
    }

    public static CliCommand of(String binary, Path workingDirectory, Map<String, String> environment) {
        return new CliCommand(binary, workingDirectory, environment, Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(), List.of(), Optional.empty(), Optional.empty(), false);
    }

    public CliCommand withResume(String sessionId) {
        return new CliCommand(binary, workingDirectory, environment, Optional.of(sessionId), model, permissionMode,
                allowedTools, disallowedTools, appendSystemPrompt, settings, bypassAllowed);
    }

    public CliCommand withModel(String name) {
        return new CliCommand(binary, workingDirectory, environment, resume, Optional.of(name), permissionMode,
                allowedTools, disallowedTools, appendSystemPrompt, settings, bypassAllowed);
    }

    public CliCommand withPermissionMode(String mode) {
        return new CliCommand(binary, workingDirectory, environment, resume, model, Optional.of(mode),
                allowedTools, disallowedTools, appendSystemPrompt, settings, bypassAllowed);
    }

    public CliCommand withAllowedTools(List<String> rules) {
        return new CliCommand(binary, workingDirectory, environment, resume, model, permissionMode,
                rules, disallowedTools, appendSystemPrompt, settings, bypassAllowed);
    }

    public CliCommand withDisallowedTools(List<String> rules) {
        return new CliCommand(binary, workingDirectory, environment, resume, model, permissionMode,
                allowedTools, rules, appendSystemPrompt, settings, bypassAllowed);
    }

    public CliCommand withAppendSystemPrompt(String text) {
        return new CliCommand(binary, workingDirectory, environment, resume, model, permissionMode,
                allowedTools, disallowedTools, Optional.of(text), settings, bypassAllowed);
    }

    /** The bot's own settings as inline JSON ({@code --settings}): the one settings source besides managed ones. */
    public CliCommand withSettings(String json) {
        return new CliCommand(binary, workingDirectory, environment, resume, model, permissionMode,
                allowedTools, disallowedTools, appendSystemPrompt, Optional.of(json), bypassAllowed);
    }

    /**
     * Lets {@code set_permission_mode bypassPermissions} through ({@code --allow-dangerously-skip-permissions}); the
     * CLI still starts in its own mode. 2.1.332 refuses to start with this flag as root unless {@code IS_SANDBOX=1}
     * (transcript 28c_bypass_allowed_as_root).
     */
    public CliCommand withBypassAllowed() {
        return new CliCommand(binary, workingDirectory, environment, resume, model, permissionMode,
                allowedTools, disallowedTools, appendSystemPrompt, settings, true);
    }

    /** The argument vector, binary first. */
    public List<String> argv() {
        List<String> argv = new ArrayList<>(List.of(binary, "-p",
                "--input-format", "stream-json",
                "--output-format", "stream-json",
                "--verbose",
                "--include-partial-messages",
                "--permission-prompt-tool", "stdio",
                // No settings file the agent's own tools can write (.claude/settings*.json of the working directory,
                // settings.json of CLAUDE_CONFIG_DIR) may add hooks or allow rules to the next CLI, and no .mcp.json
                // may start servers: only managed settings (root-owned in the image) and our flags apply.
                "--setting-sources", "",
                "--strict-mcp-config"));
        settings.ifPresent(json -> argv.addAll(List.of("--settings", json)));
        resume.ifPresent(id -> argv.addAll(List.of("--resume", id)));
        model.ifPresent(m -> argv.addAll(List.of("--model", m)));
        permissionMode.ifPresent(m -> argv.addAll(List.of("--permission-mode", m)));
        if (bypassAllowed) {
            argv.add("--allow-dangerously-skip-permissions");
        }
        if (!allowedTools.isEmpty()) {
            argv.addAll(List.of("--allowedTools", String.join(",", allowedTools)));
        }
        if (!disallowedTools.isEmpty()) {
            argv.addAll(List.of("--disallowedTools", String.join(",", disallowedTools)));
        }
        appendSystemPrompt.ifPresent(p -> argv.addAll(List.of("--append-system-prompt", p)));
        return List.copyOf(argv);
    }
}
