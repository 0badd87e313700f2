package dev.claudebridge.agent.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which rule "Allow for this session" adds for a tool call, if any. For Bash it is a prefix rule on the command's
 * first word ({@code Bash(touch:*)}); the pinned CLI asks again for every other command chained behind that word
 * ({@code &&}, {@code ;}, {@code |}, {@code $(…)}, backticks, newlines: {@code ClaudeSessionTest}), so the rule allows
 * only that program. It is not offered when that program can itself run anything: a shell or interpreter, a wrapper
 * that runs its arguments, or a build tool or package runner that runs code from files the agent can write (a rule
 * for {@code npm} would let the agent run any script it puts in package.json). Nor when the first word is not a plain
 * program name (a path, an assignment, quoting). The list cannot be complete; allowing once is always possible.
 * Other tools get a rule for the tool itself ({@code Write} allows every Write for the session), named as such.
 */
public final class SessionRules {

    /** A rule as the CLI's {@code addRules} takes it. */
    public record Rule(String toolName, Optional<String> content) {
        /** How the CLI's settings write it: {@code Bash(touch:*)}, {@code Write}. */
        public String display() {
            return content.map(c -> toolName + "(" + c + ")").orElse(toolName);
        }
    }

    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
    /** Interpreters with a version in their name: python3.12, node22, ruby3.3, perl5.36, php8.2, pypy3, lua5.4. */
    private static final Pattern VERSIONED = Pattern.compile(
            "(python|pypy|node|nodejs|ruby|perl|php|lua|luajit|pip|java|tclsh|wish)[0-9.]*");
    private static final Set<String> RUNS_ANYTHING = Set.of(
            // shells and interpreters
            "sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "csh", "tcsh", "busybox", "deno", "bun", "irb",
            "rscript", "r", "julia", "jshell", "groovy", "scala", "kotlin", "osascript", "pwsh", "powershell", "awk",
            "gawk", "mawk", "nawk", "sed", "find", "expect", "vim", "vi", "nvim", "emacs", "less", "more", "man",
            // wrappers that run their arguments
            "env", "sudo", "doas", "su", "runuser", "setpriv", "chroot", "unshare", "nsenter", "xargs", "eval", "exec",
            "command", "builtin", "source", "nohup", "nice", "ionice", "time", "timeout", "stdbuf", "setsid", "watch",
            "parallel", "script", "strace", "ltrace", "gdb", "ssh", "docker", "podman", "kubectl", "flock", "sg",
            "newgrp", "systemd-run", "at", "batch", "crontab", "tmux", "screen", "trap",
            // package runners and build tools: they run code from files the agent can write
            "npx", "pnpx", "bunx", "uvx", "pipx", "uv", "npm", "yarn", "pnpm", "corepack", "make", "gmake", "cmake",
            "ninja", "cargo", "go", "mvn", "mvnw", "gradle", "gradlew", "ant", "sbt", "rake", "bundle", "gem",
            "composer", "dotnet", "git", "just", "task", "tox", "nox", "poetry", "pdm", "hatch", "pytest", "jest",
            "vitest", "mocha", "tsx", "ts-node", "nodemon", "claude");

    private SessionRules() {
    }

    /** The rule "Allow for this session" would add for this call, or empty when none is offered. */
    public static Optional<Rule> forCall(String toolName, JsonNode input) {
        if (!toolName.equals("Bash")) {
            return Optional.of(new Rule(toolName, Optional.empty()));
        }
        return bashPrefix(input.path("command").asText("")).map(word -> new Rule(toolName, Optional.of(word + ":*")));
    }

    /** The command's first word when a prefix rule on it allows only that program. */
    static Optional<String> bashPrefix(String command) {
        String trimmed = command.strip();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        String first = trimmed.split("\\s+", 2)[0];
        if (!PLAIN_WORD.matcher(first).matches()) {
            return Optional.empty();
        }
        String lower = first.toLowerCase(java.util.Locale.ROOT);
        if (RUNS_ANYTHING.contains(lower) || VERSIONED.matcher(lower).matches()) {
            return Optional.empty();
        }
        return Optional.of(first);
    }
}
