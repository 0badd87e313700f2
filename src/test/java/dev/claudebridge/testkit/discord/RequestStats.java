package dev.claudebridge.testkit.discord;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Requests and 429s per route key, for tests that assert on traffic. */
final class RequestStats {
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> rateLimited = new ConcurrentHashMap<>();

    void request(String route) {
        requests.computeIfAbsent(route, k -> new LongAdder()).increment();
    }

    void rateLimited(String route) {
        rateLimited.computeIfAbsent(route, k -> new LongAdder()).increment();
    }

    Map<String, Long> requests() {
        return snapshot(requests);
    }

    Map<String, Long> rateLimited() {
        return snapshot(rateLimited);
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
        Map<String, Long> copy = new TreeMap<>();
        counters.forEach((route, count) -> copy.put(route, count.sum()));
        return copy;
    }
}
