package dev.claudebridge.core.session;

import java.math.BigDecimal;

/** What a session (or a user) has spent so far, added up per turn across CLI restarts. */
public record Totals(int promptsAnswered, long tokensIn, long tokensOut, BigDecimal costUsd) {

    public static final Totals ZERO = new Totals(0, 0, 0, BigDecimal.ZERO);

    public Totals plus(long in, long out, BigDecimal cost) {
        return new Totals(promptsAnswered + 1, tokensIn + in, tokensOut + out, costUsd.add(cost));
    }

    public Totals plus(Totals other) {
        return new Totals(promptsAnswered + other.promptsAnswered, tokensIn + other.tokensIn,
                tokensOut + other.tokensOut, costUsd.add(other.costUsd));
    }
}
