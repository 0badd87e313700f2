package dev.claudebridge.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the bot learns from Mattermost's {@code X-Ratelimit-*} headers (whole seconds, a GCRA bucket). */
final class RateBudgetTest {

    private static HttpHeaders headers(long limit, long remaining, long reset) {
        return new DefaultHttpHeaders().add("X-Ratelimit-Limit", limit).add("X-Ratelimit-Remaining", remaining)
                .add("X-Ratelimit-Reset", reset);
    }

    /**
     * At the server's defaults (10/s, burst 100) one request used shows "reset 1 s": read alone that is one request
     * a second, ten times too slow (the benchmark saw live replies 10 s late at 10 sessions). The smallest estimate
     * seen is kept.
     */
    @Test
    void theRefillTimeIsTheSmallestEstimateSeen() {
        RateBudget budget = new RateBudget(Clock.systemUTC());
        assertThat(budget.spacing()).isEmpty();
        budget.learn(headers(101, 100, 1));
        assertThat(budget.spacing()).contains(Duration.ofSeconds(1));
        budget.learn(headers(101, 51, 5));
        assertThat(budget.spacing()).contains(Duration.ofMillis(100));
        budget.learn(headers(101, 99, 1));
        assertThat(budget.spacing()).contains(Duration.ofMillis(100));
    }

    @Test
    void editsAreSpreadOnlyOnceHalfTheBurstIsUsed() {
        RateBudget budget = new RateBudget(Clock.systemUTC());
        assertThat(budget.plenty()).as("no headers: no limit").isTrue();
        budget.learn(headers(101, 90, 2));
        assertThat(budget.plenty()).isTrue();
        budget.learn(headers(101, 40, 7));
        assertThat(budget.plenty()).isFalse();
    }
}
