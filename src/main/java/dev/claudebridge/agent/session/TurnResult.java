package dev.claudebridge.agent.session;

import dev.claudebridge.agent.protocol.CliEvent;
import java.math.BigDecimal;

/**
 * The end of one turn.
 *
 * @param result    the CLI's {@code result}
 * @param costUsd   this turn's cost: the difference of the process's cumulative {@code total_cost_usd}
 * @param tokensIn  input + cache creation + cache read tokens of this turn, from {@code modelUsage} differences
 *                  (subagents included)
 * @param tokensOut output tokens of this turn, likewise
 */
public record TurnResult(CliEvent.Result result, BigDecimal costUsd, long tokensIn, long tokensOut) {

    public boolean failed() {
        return result.isError();
    }
}
