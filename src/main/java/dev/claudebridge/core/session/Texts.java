package dev.claudebridge.core.session;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.List;

/** Every line a session says in its thread, in one place. */
public final class Texts {

    private Texts() {
    }

    public static String footer(Duration took, BigDecimal cost) {
        return "-# ⏱ " + seconds(took) + " · " + usd(cost);
    }

    public static String failedTurn(String error) {
        return "⚠️ The turn failed: " + oneLine(error, 1500);
    }

    public static String turnTimedOut(Duration limit) {
        return "⏱️ The turn ran longer than " + human(limit) + " (TURN_TIMEOUT) and was interrupted.";
    }

    /** Said in a thread whose turn a drain (SIGTERM, a new version rolling out) interrupts. */
    public static String drainInterrupts() {
        return "🔄 Restarting: this turn is interrupted. Prompts waiting here are kept and run after the restart.";
    }

    /** The reply to a prompt that arrives while the bot drains. */
    public static String keptForRestart() {
        return "🔄 The bot is restarting: this prompt is kept and will run after the restart.";
    }

    public static String queueFull(int limit) {
        return "🚫 " + limit + " prompts are already waiting in this session; this one was not queued. "
                + "Send it again once the queue is shorter.";
    }

    public static String died(String description, List<String> stderr) {
        StringBuilder text = new StringBuilder("💥 The Claude CLI of this session stopped unexpectedly: ")
                .append(description).append('.');
        if (!stderr.isEmpty()) {
            text.append("\n```\n").append(oneLine(String.join("\n", stderr.subList(Math.max(0, stderr.size() - 5),
                    stderr.size())), 1200).replace("```", "ʼʼʼ")).append("\n```");
        }
        return text.append("\nResume continues the conversation; Start fresh begins a new one; Abort ends the "
                + "session. A new message here counts as Resume.").toString();
    }

    public static String noRoom(int max) {
        return "🚫 All " + max + " Claude CLIs the bot may run (MAX_LIVE_CLIS) are busy with turns; this prompt was "
                + "not run. Send it again when a turn has ended.";
    }

    public static String resumedFresh(String why) {
        return "ℹ️ The earlier conversation could not be resumed (" + why + "); this is a fresh conversation.";
    }

    public static String stopped(List<String> dropped) {
        if (dropped.isEmpty()) {
            return "⏹️ Session stopped. Send a message here to resume it.";
        }
        StringBuilder text = new StringBuilder("⏹️ Session stopped. " + dropped.size()
                + " queued prompt(s) were dropped:");
        for (String prompt : dropped) {
            text.append("\n• ").append(oneLine(prompt, 150));
        }
        return text.append("\nSend a message here to resume the session.").toString();
    }

    public static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).movePointLeft(3).setScale(1, RoundingMode.HALF_UP) + " s";
    }

    public static String usd(BigDecimal cost) {
        return "$" + cost.setScale(4, RoundingMode.HALF_UP).toPlainString();
    }

    public static String human(Duration d) {
        if (d.toMillis() % 60_000 == 0 && d.toMinutes() > 0) {
            return d.toMinutes() % 60 == 0 ? d.toHours() + "h" : d.toMinutes() + "m";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    public static String oneLine(String s, int max) {
        String flat = s.strip();
        return flat.codePointCount(0, flat.length()) <= max ? flat
                : flat.substring(0, flat.offsetByCodePoints(0, max - 1)) + "…";
    }
}
