package dev.claudebridge.core.port;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * The end of a turn.
 *
 * @param failed      the agent reported an error ({@code is_error}), including an interrupt
 * @param interrupted the turn was interrupted
 * @param errorText   what to show when it failed
 * @param costUsd     this turn's cost (difference of the process's cumulative total)
 * @param tokensIn    input + cache tokens of this turn
 * @param tokensOut   output tokens of this turn
 * @param duration    the turn's wall time as the agent measured it
 */
public record TurnOutcome(boolean failed, boolean interrupted, String errorText, BigDecimal costUsd, long tokensIn,
        long tokensOut, Duration duration) {
}
