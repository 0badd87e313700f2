package dev.claudebridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.discord.FakeUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The bot's environment against the fakes, as the end-to-end tests, the failsafe tests and the benchmarks all run
 * it: allowlists on, the real pinned CLI (unless {@code extra} names another {@code CLAUDE_BIN}) with per-run
 * directories under {@code root}, short stop timings, only 127.0.0.1.
 */
public final class BotEnvironment {

    private BotEnvironment() {
    }

    public static Map<String, String> of(Path root, FakeDiscord discord, FakeAnthropicApi api,
            Map<String, String> extra) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("DISCORD_TOKEN", discord.token());
        env.put("DISCORD_API_BASE_URL", discord.apiBaseUrl());
        env.put("DISCORD_GUILD_ID", discord.ids().guildId());
        env.put("DISCORD_MAIN_CHANNEL_ID", discord.ids().mainChannelId());
        env.put("ALLOWED_USER_IDS", FakeUser.OWNER.id());
        env.put("ALLOWED_ROLE_IDS", FakeUser.FRIEND.roleId());
        env.putAll(extra);
        return common(root, api, env);
    }

    /**
     * The bot's environment with Mattermost only (no Discord setting): the fake's bot account and its access token,
     * the owner allowed by username and the friend by id (the stranger by nobody), reactions as controls (no callback
     * URL unless {@code extra} sets one).
     */
    public static Map<String, String> mattermost(Path root, FakeMattermost mattermost, FakeAnthropicApi api,
            Map<String, String> extra) throws IOException {
        Map<String, String> env = new HashMap<>(mattermostSettings(mattermost));
        env.putAll(extra);
        return common(root, api, env);
    }

    /** Mattermost's settings alone, to add to another environment (both platforms at once). */
    public static Map<String, String> mattermostSettings(FakeMattermost mattermost) {
        return Map.of("MATTERMOST_URL", mattermost.url(),
                "MATTERMOST_TOKEN", mattermost.bot().token(),
                "MATTERMOST_ALLOWED_USERS", mattermost.owner().username() + "," + mattermost.friend().id());
    }

    /** What every environment has, under the platform's settings ({@code platform} wins). */
    private static Map<String, String> common(Path root, FakeAnthropicApi api, Map<String, String> platform)
            throws IOException {
        Path workspace = Files.createDirectories(root.resolve("workspace"));
        Path home = Files.createDirectories(root.resolve("home"));
        String claude = Path.of(System.getProperty("claude.bin", "tools/node_modules/.bin/claude")).toAbsolutePath()
                .toString();
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", home.toString());
        env.put("LANG", "C.UTF-8");
        env.put("WORKSPACE_ROOT", workspace.toString());
        env.put("DATA_DIR", root.resolve("data").toString());
        env.put("CLAUDE_BIN", claude);
        env.put("ANTHROPIC_BASE_URL", api.baseUrl());
        env.put("ANTHROPIC_API_KEY", "sk-ant-dummy");
        env.put("CLAUDE_CODE_MAX_RETRIES", "1");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("CLAUDE_ENV_PASSTHROUGH", "CLAUDE_CODE_MAX_RETRIES,CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC");
        env.put("PRESENCE_MIN_INTERVAL", "200ms");
        env.put("INTERRUPT_WAIT", "2s");
        env.put("STOP_GRACE", "5s");
        env.put("KILL_AFTER", "2s");
        env.put("DRAIN_TIMEOUT", "12s");
        env.put("OPS_PORT", "0"); // any free port: tests (and other builds on this machine) run side by side
        env.putAll(platform);
        assertThat(Path.of(env.get("CLAUDE_BIN"))).as("the CLI (the pinned one: cd tools && npm ci)").isExecutable();
        return env;
    }
}
