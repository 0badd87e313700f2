package dev.claudebridge.testkit;

import java.util.List;
import java.util.Objects;

/**
 * What a rule answers: either a streamed assistant message made of {@link Block}s, or an Anthropic-shaped
 * error. Immutable: every modifier returns a copy, so one reply can be reused in several rules.
 */
public final class Reply {

    /**
     * What the pinned CLI (2.1.332) reports for one API call with the default usage (100 in, 20 out) on its default
     * model, claude-opus-5-5 at $4/$20 per Mtok (its price table, shown in the {@code initialize} response's models):
     * 100 × $4 + 20 × $20 per million = $0.0008 (2.1.197 priced Opus 4.8 at $5/$25: $0.001).
     * {@code FakeAnthropicApiCliTest} derives it from the CLI's own price table and result.
     */
    public static final java.math.BigDecimal DEFAULT_TURN_COST_USD = new java.math.BigDecimal("0.0008");


    /** Fast enough not to slow tests, slow enough that deltas arrive as separate socket writes. */
    public static final double DEFAULT_TOKENS_PER_SECOND = 1000;

    private final List<Block> blocks;
    private final double tokensPerSecond;
    private final int inputTokens;
    private final int outputTokens;
    private final int errorStatus;
    private final String errorMessage;
    private final int times;

    private Reply(List<Block> blocks, double tokensPerSecond, int inputTokens, int outputTokens,
                  int errorStatus, String errorMessage, int times) {
        this.blocks = blocks;
        this.tokensPerSecond = tokensPerSecond;
        this.inputTokens = inputTokens;
        this.outputTokens = outputTokens;
        this.errorStatus = errorStatus;
        this.errorMessage = errorMessage;
        this.times = times;
    }

    public static Reply text(String text) {
        return blocks(Block.text(text));
    }

    public static Reply blocks(Block... blocks) {
        if (blocks.length == 0) {
            throw new IllegalArgumentException("a reply needs at least one block");
        }
        // Usage 100 in / 20 out: the pinned CLI prices that at DEFAULT_TURN_COST_USD on its default model.
        return new Reply(List.of(blocks), DEFAULT_TOKENS_PER_SECOND, 100, 20, 0, null, 0);
    }

    /**
     * An HTTP error with an Anthropic error body: 400 invalid_request_error, 401 authentication_error,
     * 403 permission_error, 404 not_found_error, 429 rate_limit_error, 500 api_error, 529 overloaded_error.
     */
    public static Reply error(int httpStatus) {
        return error(httpStatus, defaultMessage(httpStatus));
    }

    public static Reply error(int httpStatus, String message) {
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("not an error status: " + httpStatus);
        }
        return new Reply(List.of(), DEFAULT_TOKENS_PER_SECOND, 0, 0, httpStatus, Objects.requireNonNull(message), 0);
    }

    /** Pace of text, thinking and input_json deltas; {@code Double.POSITIVE_INFINITY} sends them unpaced. */
    public Reply tokensPerSecond(double rate) {
        if (!(rate > 0)) {
            throw new IllegalArgumentException("rate must be positive: " + rate);
        }
        return new Reply(blocks, rate, inputTokens, outputTokens, errorStatus, errorMessage, times);
    }

    public Reply usage(int inputTokens, int outputTokens) {
        return new Reply(blocks, tokensPerSecond, inputTokens, outputTokens, errorStatus, errorMessage, times);
    }

    /** The rule answers at most {@code n} requests, then is skipped (the next matching rule answers). */
    public Reply times(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("times must be >= 1: " + n);
        }
        return new Reply(blocks, tokensPerSecond, inputTokens, outputTokens, errorStatus, errorMessage, n);
    }

    public List<Block> blocks() {
        return blocks;
    }

    public double tokensPerSecond() {
        return tokensPerSecond;
    }

    public int inputTokens() {
        return inputTokens;
    }

    public int outputTokens() {
        return outputTokens;
    }

    public boolean isError() {
        return errorStatus != 0;
    }

    public int errorStatus() {
        return errorStatus;
    }

    public String errorMessage() {
        return errorMessage;
    }

    /** 0 means unlimited. */
    public int times() {
        return times;
    }

    public boolean hasToolUse() {
        return blocks.stream().anyMatch(Block.ToolUse.class::isInstance);
    }

    /** The Anthropic error {@code type} for an HTTP status. */
    public static String errorType(int status) {
        return switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 529 -> "overloaded_error";
            default -> "api_error";
        };
    }

    private static String defaultMessage(int status) {
        return switch (status) {
            case 400 -> "Bad request (fake)";
            case 401 -> "invalid x-api-key (fake)";
            case 403 -> "Permission denied (fake)";
            case 404 -> "Not found (fake)";
            case 429 -> "Rate limited (fake)";
            case 529 -> "Overloaded (fake)";
            default -> "Internal server error (fake)";
        };
    }

    @Override
    public String toString() {
        if (isError()) {
            return "error(" + errorStatus + ")";
        }
        return "blocks" + blocks + " @" + tokensPerSecond + "/s usage " + inputTokens + "/" + outputTokens
                + (times > 0 ? " times " + times : "");
    }
}
