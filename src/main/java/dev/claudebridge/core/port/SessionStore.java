package dev.claudebridge.core.port;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where sessions survive a restart (docs/architecture.md §3.10). Every method is non-blocking for its caller; an
 * implementation over a blocking driver confines it to its own scheduler.
 */
public interface SessionStore {

    /** Inserts or replaces a session by platform and thread id. */
    Mono<Void> saveSession(SessionRecord session);

    Flux<SessionRecord> loadSessions();

    Mono<Void> saveTurn(TurnRecord turn);

    /** A session's turns in order (the session of {@code threadId} on {@code platform}). */
    Flux<TurnRecord> turns(String platform, String threadId);

    /** Replaces the prompts waiting in a session's inbox (in order; empty clears it). */
    Mono<Void> saveInbox(String platform, String threadId, List<QueuedPrompt> prompts);

    Flux<QueuedPrompt> inbox(String platform, String threadId);

    /**
     * Records the turn a session's agent is running, for an agent that outlives the bot (replaces the session's
     * earlier one).
     */
    Mono<Void> saveRunningTurn(RunningTurn turn);

    /** Forgets a session's running turn (it ended, or cannot be taken up again). */
    Mono<Void> clearRunningTurn(String platform, String threadId);

    /** Every running turn recorded, for a restarted bot to take up again. */
    Flux<RunningTurn> runningTurns();

    /** The agent processes started and not yet ended, kept in this store for the agent runtime. */
    ChildLedger children();

    /**
     * A user's totals over the turns that ended at or after {@code since}, in all their sessions on {@code platform}
     * (a user id is only unique within its platform).
     */
    Mono<UserTotals> userTotals(String platform, String ownerId, Instant since);

    /** Whether the store answers (for readiness). */
    Mono<Boolean> ping();

    /**
     * A session row, keyed by platform and thread id.
     *
     * @param platform    the chat platform of its thread ({@code ChatPlatform#platform()}, e.g. {@code discord})
     * @param state       a {@code SessionState} name
     * @param turnRunning a turn was running when this was saved (so a restart can say it was interrupted)
     * @param model       the model the session's CLI starts with ({@code /new}'s option, then {@code /model}'s)
     * @param permissionMode the permission mode its CLI starts with ({@code /mode}), empty for the CLI's default
     * @param planReturnMode in plan mode: the mode an approved plan returns to
     */
    record SessionRecord(String platform, String threadId, String title, String channelId, String guildId,
            String ownerId, String state, Optional<String> model, String workDir, Optional<String> cliSessionId,
            Instant createdAt, Instant updatedAt, Instant lastActivity, int promptsAnswered, long tokensIn,
            long tokensOut, BigDecimal costUsd, boolean turnRunning, Optional<String> permissionMode,
            Optional<String> planReturnMode) {

        /** A record of a session whose permission mode was never changed. */
        public SessionRecord(String platform, String threadId, String title, String channelId, String guildId,
                String ownerId, String state, Optional<String> model, String workDir, Optional<String> cliSessionId,
                Instant createdAt, Instant updatedAt, Instant lastActivity, int promptsAnswered, long tokensIn,
                long tokensOut, BigDecimal costUsd, boolean turnRunning) {
            this(platform, threadId, title, channelId, guildId, ownerId, state, model, workDir, cliSessionId,
                    createdAt, updatedAt, lastActivity, promptsAnswered, tokensIn, tokensOut, costUsd, turnRunning,
                    Optional.empty(), Optional.empty());
        }
    }

    /**
     * A finished turn.
     *
     * @param platform  the chat platform of its session's thread
     * @param replyText all text blocks of the turn in order (not the CLI's {@code result} text)
     * @param toolLines the turn's tool lines, in order
     * @param outcome   e.g. "ok", "error", "interrupted", "died"
     */
    record TurnRecord(String platform, String threadId, String ownerId, String prompt, String replyText,
            List<String> toolLines, String outcome, BigDecimal costUsd, long tokensIn, long tokensOut,
            Duration duration, Instant startedAt, Instant endedAt) {
        public TurnRecord {
            toolLines = List.copyOf(toolLines);
        }
    }

    /**
     * A prompt not yet answered.
     *
     * @param images the images attached to it, as paths relative to the session's working directory (the files are
     *               saved there before the prompt is queued, so a restart loses none of them)
     */
    record QueuedPrompt(String platform, String threadId, int position, String text, String authorId,
            Optional<String> messageId, Instant receivedAt, List<String> images) {
        public QueuedPrompt {
            images = List.copyOf(images);
        }

        /** A prompt without images. */
        public QueuedPrompt(String platform, String threadId, int position, String text, String authorId,
                Optional<String> messageId, Instant receivedAt) {
            this(platform, threadId, position, text, authorId, messageId, receivedAt, List.of());
        }
    }

    /**
     * A turn an agent was running, as a restarted bot needs it to carry the turn on.
     *
     * @param agentPosition   where the agent's output stood when the prompt was sent (the runtime's own words,
     *                        {@code AgentSession#position()})
     * @param replyMessageIds the reply's messages so far, one per page
     */
    record RunningTurn(String platform, String threadId, String agentPosition, String prompt, String authorId,
            Optional<String> promptMessageId, List<String> replyMessageIds, Instant startedAt) {
        public RunningTurn {
            replyMessageIds = List.copyOf(replyMessageIds);
        }

        public RunningTurn withReplyMessages(List<String> ids) {
            return new RunningTurn(platform, threadId, agentPosition, prompt, authorId, promptMessageId, ids,
                    startedAt);
        }
    }

    record UserTotals(int turns, long tokensIn, long tokensOut, BigDecimal costUsd) {
        public static final UserTotals ZERO = new UserTotals(0, 0, 0, BigDecimal.ZERO);
    }
}
