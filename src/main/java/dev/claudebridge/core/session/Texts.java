package dev.claudebridge.core.session;

import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.Markup;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Every sentence the bot says, on any platform, in one place. What differs between platforms (a mention, a link, a
 * relative time, small print, code) is asked of the platform's {@link Markup}; the words are the same everywhere.
 */
public final class Texts {

    private Texts() {
    }

    public static String footer(Markup m, Duration took, BigDecimal cost) {
        return footer(m, took, cost, Optional.empty());
    }

    /** The footer with how full the context window is, in the CLI's own figure, when it gave one. */
    public static String footer(Markup m, Duration took, BigDecimal cost,
            Optional<dev.claudebridge.core.port.ContextUsage> context) {
        return m.small("⏱ " + seconds(took) + " · " + usd(cost)
                + context.map(c -> " · " + contextFigure(c)).orElse(""));
    }

    /** How full the context window is: {@code context 42% full}. */
    public static String contextFigure(dev.claudebridge.core.port.ContextUsage context) {
        return "context " + context.percentage() + "% full";
    }

    // ---- /compact, /clear ----

    /** {@code /compact} or {@code /clear} outside a session's thread. */
    public static String contextCommandInThread(Markup m, String command) {
        return "Use " + m.command(command) + " in a session's thread.";
    }

    public static final String COMPACT_STARTED = "🗜️ Compacting this conversation: how much it freed follows in the "
            + "thread.";
    public static final String CLEAR_STARTED = "🧹 Clearing this conversation: the next prompt starts a fresh one.";

    /** Either command while a turn runs or prompts wait: it waits in the queue, in order, as a prompt would. */
    public static String contextCommandQueued(Markup m, String command, int ahead) {
        return "⏳ " + m.command(command) + " waits behind " + (ahead == 1 ? "the running turn"
                : ahead + " turns (the running one and those queued)") + ", in order, as a prompt would.";
    }

    /**
     * What {@code /compact} (or the CLI by itself) did, in the CLI's own figures ({@code compact_boundary}).
     *
     * @param after the tokens after, when the CLI says (2.1.332 does)
     */
    public static String compacted(boolean automatic, long before, Optional<Long> after) {
        String what = automatic ? "🗜️ The CLI compacted the conversation by itself (its context was nearly full): "
                : "🗜️ Compacted: ";
        return what + after.map(a -> "the context went from " + tokens(before) + " to " + tokens(a) + " ("
                        + tokens(Math.max(0, before - a)) + " freed); the model now sees a summary of the earlier turns.")
                .orElse("the " + tokens(before) + " of the conversation are now a summary of the earlier turns.");
    }

    public static String compactFailed(String error) {
        return "⚠️ Not compacted: " + oneLine(error, 800) + " The conversation is as it was.";
    }

    public static final String NOTHING_TO_COMPACT = "🗜️ Nothing to compact: the conversation has no messages yet.";

    public static String cleared(Markup m) {
        return "🧹 Cleared: this is a fresh conversation, the model no longer sees the earlier turns ("
                + m.command("export") + " still has them).";
    }

    /** A token count as people read it: {@code 423,040 tokens}. */
    public static String tokens(long count) {
        return String.format(java.util.Locale.ROOT, "%,d", count) + (count == 1 ? " token" : " tokens");
    }

    // ---- who may do what ----

    public static final String REFUSED = "You are not allowed to use this bot.";
    public static final String NOT_OWNER = "Only the session's owner can do this.";
    public static final String NOT_OWNER_ANSWER = "Only the session's owner can answer this.";

    public static String limitReached(Markup m, int active) {
        return "🚫 You already have " + active + " active sessions (MAX_SESSIONS_PER_USER). Stop one with "
                + m.command("stop") + " first.";
    }

    public static String limitReachedIn(Markup m, String userId, int max) {
        return "🚫 " + m.mention(userId) + ", you already have " + max
                + " active sessions (MAX_SESSIONS_PER_USER). Stop one with " + m.command("stop") + " first.";
    }

    // ---- commands ----

    /** @param place the main place as {@code MainPlace.name} writes it */
    public static String useNewIn(Markup m, String place) {
        return "Use " + m.command("new") + " in " + place + ".";
    }

    /** Where sessions start only by command (Mattermost), a plain message in the main place. */
    public static String promptsNotInMain(Markup m) {
        return "Prompts are not accepted in the main DM: reply in a session thread, or start one with "
                + m.code(m.command("new")) + ".";
    }

    /** What heads an ended session's thread where the platform heads it with a message (Mattermost). */
    public static String threadEnded(Markup m, String title) {
        return title + "\n\n" + m.small("🏁 Session ended: start a new one with " + m.command("new") + ".");
    }

    /** Where the main place answers stray threads (Mattermost), a reply in a thread that is no session. */
    public static String threadNotRecognized(Markup m) {
        return "Thread not recognized: use " + m.code(m.command("sessions")) + " to find your session threads.";
    }

    public static String startAnother(int active) {
        return "You already have " + active + " active session(s). Start another?";
    }

    public static String sessionStarted(Markup m, String threadId) {
        return "Session started: " + m.channel(threadId);
    }

    public static final String BAD_DIRECTORY = "🚫 The directory must be an existing directory under the workspace "
            + "root.";
    public static String badModel(int maxLength) {
        return "🚫 That is not a model name: use a name or alias such as `opus` or `sonnet` (letters, digits and . _ - : "
                + "@ / [ ], at most " + maxLength + " characters).";
    }

    public static final String NO_ACTIVE_SESSION = "You have no active session.";
    public static final String WHICH_TO_STOP = "Which session should stop?";

    public static String nothingToContinue(Markup m) {
        return "You have no session to continue. Start one with " + m.command("new") + ".";
    }

    public static String exportInThread(Markup m) {
        return "Use " + m.command("export") + " in a session's thread.";
    }

    public static final String EXPORTED = "Exported.";
    public static final String UNKNOWN_BUTTON = "This button is not known.";
    public static final String SESSION_GONE = "This session is gone.";
    public static final String NOT_YOURS_OR_EXPIRED = "This confirmation is not yours or has expired.";
    public static final String CANCELLED = "Cancelled.";
    public static final String EXPIRED = "⌛ Expired: nothing was done. Run the command again if you still want it.";
    public static final String SESSION_ENDED = "Session ended.";
    public static final String STARTED_FRESH = "Started a fresh conversation.";
    public static final String RESUMED = "Resumed.";

    public static String endedUseNew(Markup m) {
        return "This session has ended. Start a new one with " + m.command("new") + ".";
    }

    public static String failedUseNew(Markup m) {
        return "This session could not be restored after a restart. Start a new one with " + m.command("new") + ".";
    }

    public static String restoreFailed(Markup m, String why) {
        return "⚠️ This session could not be restored after the bot restarted (" + oneLine(why, 300)
                + "); it is closed. Start a new one with " + m.command("new") + ".";
    }

    public static final String NOT_DEAD = "This session is not stopped or dead any more; nothing was done.";

    public static String stoppedThread(Markup m, String threadId, int dropped) {
        return "Stopped " + m.channel(threadId) + (dropped == 0 ? "." : "; " + dropped + " queued prompt(s) dropped.");
    }

    public static String mostRecent(Markup m, String threadId) {
        return "Your most recent session: " + m.channel(threadId);
    }

    public static String summary(Totals t) {
        return t.promptsAnswered() + " prompts · " + t.tokensIn() + " tokens in · " + t.tokensOut()
                + " tokens out · " + usd(t.costUsd());
    }

    public static String sessionHeader(Markup m, String ownerId, Path workDir, Optional<String> model) {
        return "🧵 Claude Code session for " + m.mention(ownerId) + " · directory " + m.code(workDir.toString())
                + model.map(x -> " · model " + m.code(x)).orElse("")
                + "\nMessages here are prompts; " + m.command("stop") + " ends the session.";
    }

    public static String cliNotStarted(String why) {
        return "💥 The Claude CLI could not be started: " + why;
    }

    public static final String STATUS_TITLE = "Your Claude Code sessions";

    public static String statusNone(Markup m) {
        return "No active session. Start one with " + m.command("new") + ".";
    }

    // ---- /sessions, /stop n ----

    public static final String SESSIONS_TITLE = "Your sessions";
    public static final String NOT_ACTIVE_HERE = "This session is not active: there is nothing to stop.";

    /**
     * @param place            the main place as {@code MainPlace.name} writes it
     * @param messagesStart    whether a message there starts a session too
     */
    public static String noSessions(Markup m, String place, boolean messagesStart) {
        return "You have no sessions yet. Start one with " + m.command("new")
                + (messagesStart ? " or a message in " : " in ") + place + ".";
    }

    /** The card's description: how to stop one, and which page of how many this is. */
    public static String sessionsNote(Markup m, int active, int shown, int total) {
        return sessionsNote(m, active, shown, total, 1, 1);
    }

    /** The card's description: how to stop one, and which page of how many this is. */
    public static String sessionsNote(Markup m, int active, int shown, int total, int page, int pages) {
        String stop = active == 0 ? "" : "Active sessions are numbered: " + m.command("stop") + " with a number ("
                + m.code("n") + ") stops that one.";
        String more = pages == 1 ? "" : page == 1
                ? "The " + shown + " most recent of " + total + " are shown; " + (total - shown) + " more are not. "
                        + m.code(m.command("sessions") + " 2") + " shows the next page."
                : "Page " + page + " of " + pages + " (" + total + " sessions)"
                        + (page < pages ? "; " + m.code(m.command("sessions") + " " + (page + 1)) + " shows the next."
                                : ".");
        return (stop + (stop.isEmpty() || more.isEmpty() ? "" : "\n") + more);
    }

    public static final String ALL_SESSIONS_TITLE = "Sessions: yours first, then everyone's";
    public static final String RESUME_ONE = "Resume a session";

    public static String ownedBy(Markup m, String ownerId) {
        return "👤 " + m.mention(ownerId) + " · ";
    }

    public static String noSuchPage(Markup m, String given, int pages) {
        return "🚫 " + oneLine(given, 20) + " is not a page of the list: pages 1 to " + pages + ".";
    }

    public static String alreadyActive(Markup m, String threadId) {
        return "This session is active already: " + m.channel(threadId);
    }

    public static String resumedFromList(Markup m, String threadId) {
        return "▶️ Resumed: " + m.channel(threadId);
    }

    public static String notResumedFromList(Markup m, String threadId, String why) {
        return "⚠️ " + m.channel(threadId) + " was not resumed: " + oneLine(why, 300);
    }

    public static String resumedByAdmin(Markup m, String adminId) {
        return "🛡️ This session is being resumed by the admin " + m.mention(adminId) + ".";
    }

    /** One session's line in the list: its state, when, what it spent, and a link to its thread. */
    public static String sessionLine(Markup m, String state, boolean active, Instant when, Totals totals,
            String threadId) {
        return state + " · " + (active ? "started " : "last active ") + m.relativeTime(when) + " · " + summary(totals)
                + "\n" + m.channel(threadId);
    }

    public static String noSuchSessionNumber(Markup m, String given, int active) {
        return "🚫 " + oneLine(given, 20) + " is not the number of one of your active sessions (you have " + active
                + "): " + m.command("sessions") + " lists them.";
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

    public static final String INTERRUPTED_BY_RESTART = "⚠️ Interrupted by a restart: the turn that was running did "
            + "not finish. Send the prompt again if you still need it.";

    public static String exported(int kept, int total, int maxBytes) {
        return kept == total ? "📄 This session's conversation: " + total + " turn(s)."
                : "📄 This session's conversation: the last " + kept + " of " + total + " turns (the export stops at "
                        + (maxBytes >> 20) + " MiB; older turns are left out).";
    }

    public static String exportCut(int kept, int total, int maxBytes) {
        return "Only the last " + kept + " of " + total + " turns: the export stops at " + (maxBytes >> 20) + " MiB.";
    }

    public static final String REQUEST_CLOSED = "This request is no longer open.";

    // ---- permission requests (PermissionPrompt, Approval)

    public static final String QUESTION = "❓ Claude asks:";
    public static final String EVERY_OCCURRENCE = "(every occurrence)";
    public static final String ALLOW_BUTTON = "Allow";
    public static final String ALLOW_SESSION_BUTTON = "Allow for this session";
    public static final String DENY_BUTTON = "Deny";
    public static final String NO_SESSION_RULE = "No “Allow for this session” for this command: its first word can run "
            + "other programs (or is not a plain program name), so a rule for it would allow more than this.";
    public static final String ALLOWED = "✅ Allowed.";
    public static final String DENIED = "❌ Denied.";
    public static final String WITHDRAWN = "↩️ Withdrawn: Claude no longer needs this answer.";
    public static final String WITHDRAWN_TURN_ENDED = "↩️ Withdrawn: the turn ended.";
    public static final String DENIED_IN_CHAT = "The user denied this in the chat.";
    public static final String ALREADY_ANSWERED = "This request was already answered.";

    public static String wantsToUse(Markup m, String tool, String what) {
        return "🔐 Claude wants to use " + m.bold(tool) + what + ":";
    }

    public static String inputAttached(String fileName, int lines, int characters) {
        return "Too long to show here (" + lines + (lines == 1 ? " line, " : " lines, ") + characters
                + " characters): all of it is attached as " + fileName + "; its first and last lines:";
    }

    public static String linesNotShown(int lines) {
        return "… " + lines + (lines == 1 ? " line" : " lines") + " not shown here (see the file) …";
    }

    public static String charactersNotShown(int characters) {
        return " …[" + characters + " characters not shown]… ";
    }

    public static String sessionRuleOffered(Markup m, String rule) {
        return "“Allow for this session” adds the rule " + m.code(rule)
                + ": calls it matches run without asking until the session ends.";
    }

    public static String onlyOwnerAnswers(Markup m, String ownerId, Instant deadline) {
        return "Only " + m.mention(ownerId) + " can answer. Denied automatically " + m.relativeTime(deadline) + ".";
    }

    public static String noAnswerWithin(Duration timeout) {
        return "No answer within " + human(timeout) + "; denied.";
    }

    public static String couldNotShowRequest(String why) {
        return "The chat bridge could not show this request: " + why;
    }

    public static String answered(java.util.Collection<String> answers) {
        return "✅ Answered: " + String.join("; ", answers);
    }

    public static String allowedForSession(String rule) {
        return "✅ Allowed for this session: " + rule + ".";
    }

    public static final String EVICTED = "⏸️ This session's CLI was stopped to make room for another session "
            + "(MAX_LIVE_CLIS). Send a message here to resume it.";

    public static String idleStopped(Duration idle) {
        return "💤 Idle for " + human(idle) + ": this session's CLI was stopped. Send a message here to resume it.";
    }

    /** The resume question: the stored conversation cannot be resumed; the owner chooses. */
    public static String resumeQuestion(String why, int waiting) {
        return "⚠️ The earlier conversation could not be resumed (" + oneLine(why, 300) + "). "
                + (waiting == 0 ? "" : waiting == 1 ? "Your prompt waits until you choose: "
                        : waiting + " prompts wait until you choose: ")
                + "Start fresh (a new conversation, without the earlier context) or Abort (the session ends"
                + (waiting == 0 ? ")." : " and the waiting prompts are dropped).");
    }

    public static String abortedResume(List<String> dropped) {
        if (dropped.isEmpty()) {
            return "Aborted: the session ends.";
        }
        StringBuilder text = new StringBuilder("Aborted: the session ends; " + dropped.size()
                + " waiting prompt(s) dropped:");
        dropped.forEach(p -> text.append("\n• ").append(oneLine(p, 100)));
        return text.toString();
    }

    public static final String RESUMED_TITLE = "🔄 Session resumed";

    public static final String ADMINS_ONLY = "Only the bot's admins can do this.";
    public static final String NO_ACTIVE_SESSIONS = "No session is active.";

    public static String confirmStopAll(int active) {
        return "🛑 Stop all " + active + " active session(s)? Their running turns are interrupted and their queued "
                + "prompts dropped; each stays resumable.";
    }

    public static String stoppedAll(long n) {
        return "🛑 Stopped " + n + " session(s).";
    }

    public static String stoppedByAdmin(Markup m, String adminId, boolean all) {
        return "🛡️ This session is being stopped by the admin " + m.mention(adminId)
                + (all ? " (stop-all)." : ".");
    }

    public static final String CONTINUE_TITLE = "📌 Your most recent session";

    /** A session's status: a resumed session posts it, and {@code /continue} shows it. */
    public static ChatPlatform.Embed statusEmbed(Markup m, String heading, String title, String state,
            Instant createdAt, Totals t) {
        return new ChatPlatform.Embed(heading, Optional.of(oneLine(title, 200)), List.of(
                new ChatPlatform.Embed.Field("State", state),
                new ChatPlatform.Embed.Field("Started", m.relativeTime(createdAt)),
                new ChatPlatform.Embed.Field("Prompts so far", String.valueOf(t.promptsAnswered())),
                new ChatPlatform.Embed.Field("Cost", usd(t.costUsd()))));
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

    // ---- files in and out ----

    public static String tooManyFiles(int count, int max) {
        return "📎 This message was not taken: it has " + count + " files, over the limit of " + max
                + " per message (ATTACHMENT_MAX_COUNT). Nothing of it was saved: send them in several messages.";
    }

    public static String fileTooLarge(Markup m, String name, long size, long max) {
        return "📎 This message was not taken: " + m.code(name) + " is " + size(size) + ", over the limit of "
                + size(max) + " per file (ATTACHMENT_MAX_BYTES). Nothing of it was saved: send it again without that"
                + " file, or with a smaller one.";
    }

    public static String fileNotSaved(Markup m, String name, String why) {
        return "📎 This message was not taken: " + m.code(name) + " could not be saved (" + why
                + "). Nothing of it was saved: send it again.";
    }

    /** Why an image of a queued prompt was not shown to the model after all (it is told so). */
    public static String unreadableImage(dev.claudebridge.core.port.SessionFiles.FileRead read) {
        return switch (read) {
            case dev.claudebridge.core.port.SessionFiles.FileRead.Found found -> "it is no longer an image";
            case dev.claudebridge.core.port.SessionFiles.FileRead.TooLarge large -> "it is " + size(large.size())
                    + ", over " + size(Images.MAX_BYTES);
            case dev.claudebridge.core.port.SessionFiles.FileRead.Refused refused -> refused.why().replaceAll("\\.$",
                    "");
        };
    }

    public static String downloadInThread(Markup m) {
        return "Use " + m.command("download") + " in a session's thread.";
    }

    public static String downloadUsage(Markup m) {
        return "Name a file: " + m.code(m.command("download") + " path") + ", relative to the session's working"
                + " directory.";
    }

    /** The message the file is attached to. */
    public static String downloaded(Markup m, String path, long size) {
        return "📎 " + m.code(path) + " (" + size(size) + ") from the session's working directory.";
    }

    public static String downloadTooLarge(Markup m, String path, long size, long limit) {
        return "📎 " + m.code(path) + " is " + size(size) + ", over the upload limit of " + size(limit)
                + " here: it was not attached.";
    }

    public static String downloadRefused(String why) {
        return "📎 Not attached: " + why;
    }

    public static final String DOWNLOADED = "Attached.";

    /** A size as people read it: {@code 512 bytes}, {@code 12.3 KiB}, {@code 10 MiB}. */
    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        BigDecimal value = BigDecimal.valueOf(bytes);
        int unit = -1;
        while (value.compareTo(BigDecimal.valueOf(1024)) >= 0 && unit < units.length - 1) {
            value = value.divide(BigDecimal.valueOf(1024));
            unit++;
        }
        return value.setScale(1, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString() + " " + units[unit];
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
