package dev.claudebridge.testkit.discord;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * REST faults on demand: a share of 500s and added latency per route key (or {@link FakeRoutes#ANY}). The share is
 * deterministic so tests are repeatable: request n on a route fails when ceil(n·share) > ceil((n−1)·share); a share
 * of 0.5 fails the 1st, 3rd, 5th… request, 1.0 fails every one.
 */
final class Faults {
    private record Fault(double errorShare, Duration latency, AtomicLong seen) {
    }

    private final Map<String, Fault> byRoute = new ConcurrentHashMap<>();

    void errors(String route, double share) {
        if (share < 0 || share > 1) {
            throw new IllegalArgumentException("share must be within [0, 1]");
        }
        byRoute.compute(route, (k, old) -> new Fault(share, old == null ? Duration.ZERO : old.latency(),
                new AtomicLong()));
    }

    void latency(String route, Duration latency) {
        byRoute.compute(route, (k, old) -> new Fault(old == null ? 0 : old.errorShare(), latency,
                old == null ? new AtomicLong() : old.seen()));
    }

    void clear() {
        byRoute.clear();
    }

    Duration latencyOf(String route) {
        Fault fault = find(route);
        return fault == null ? Duration.ZERO : fault.latency();
    }

    /** Counts this request and says whether it should fail with 500. */
    boolean shouldFail(String route) {
        Fault fault = find(route);
        if (fault == null || fault.errorShare() == 0) {
            return false;
        }
        long n = fault.seen().incrementAndGet();
        return Math.ceil(n * fault.errorShare()) > Math.ceil((n - 1) * fault.errorShare());
    }

    private Fault find(String route) {
        Fault specific = byRoute.get(route);
        return specific != null ? specific : byRoute.get(FakeRoutes.ANY);
    }
}
