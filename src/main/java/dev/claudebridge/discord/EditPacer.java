package dev.claudebridge.discord;

import discord4j.rest.request.BucketGlobalRateLimiter;
import discord4j.rest.request.DiscordWebRequest;
import discord4j.rest.request.GlobalRateLimiter;
import discord4j.rest.response.ResponseFunction;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Spreads each channel's message edits evenly over the budget Discord announces in its rate-limit headers, instead
 * of bursting and then waiting out the window (docs/architecture.md §3.6). After each edit response with
 * {@code Remaining = r} and {@code Reset-After = t}, the next edit in that channel waits {@code t / (r + 1)}: with
 * 5 per 5 s that is one edit a second, and a lowered limit is followed from the next response on. Discord4J reads the
 * same headers in its router; this class only reads them too, through a response transformer.
 *
 * <p>Channels' budgets add up past Discord's global 50 requests a second (50 threads at one edit a second each did,
 * measured: global 429s). So after its channel's wait, an edit also takes a slot of a global edit budget,
 * {@link #GLOBAL_EDITS_PER_SECOND}, which leaves the rest of the global limit to creates, reactions and
 * interactions. The global slot is taken only once the channel is ready, so a channel that must wait long never
 * holds back one that is ready now.
 */
final class EditPacer {

    private static final Pattern EDIT = Pattern.compile("/channels/(\\d+)/messages/\\d+");

    private final Clock clock;
    private final Optional<Duration> fixedInterval;
    /** Edits a second across all channels; Discord's global limit is 50 requests a second for everything. */
    static final int GLOBAL_EDITS_PER_SECOND = 36;
    /** Rounded up to whole milliseconds, so no second, however its start is placed, holds one slot more. */
    private static final Duration GLOBAL_SPACING = Duration.ofMillis(1000 / GLOBAL_EDITS_PER_SECOND + 1);

    private final Map<String, Instant> nextEdit = new ConcurrentHashMap<>();
    private Instant nextGlobal = Instant.MIN; // guarded by this

    /**
     * @param fixedInterval when set, edits in a channel are simply spaced by it (what most public bridges do, kept
     *                      for comparison in the benchmark) and the headers are not used
     */
    EditPacer(Clock clock, Optional<Duration> fixedInterval) {
        this.clock = clock;
        this.fixedInterval = fixedInterval;
    }

    /** The transformer to register with {@code DiscordClientBuilder.onClientResponse}. */
    ResponseFunction responseFunction() {
        return new ResponseFunction() {
            @Override
            public java.util.function.Function<Mono<discord4j.rest.http.client.ClientResponse>,
                    Mono<discord4j.rest.http.client.ClientResponse>> transform(DiscordWebRequest request) {
                if (!request.getRoute().getMethod().name().equals("PATCH")) {
                    return mono -> mono;
                }
                Matcher m = EDIT.matcher(request.getCompleteUri());
                if (!m.find()) {
                    return mono -> mono;
                }
                String channel = m.group(1);
                return mono -> mono.doOnNext(response -> learn(channel, response.getHttpResponse().responseHeaders()));
            }
        };
    }

    void learn(String channelId, HttpHeaders headers) {
        if (fixedInterval.isPresent()) {
            nextEdit.put(channelId, clock.instant().plus(fixedInterval.get()));
            return;
        }
        String remaining = headers.get("X-RateLimit-Remaining");
        String resetAfter = headers.get("X-RateLimit-Reset-After");
        if (remaining == null || resetAfter == null) {
            return;
        }
        try {
            long left = Long.parseLong(remaining.trim());
            double seconds = Double.parseDouble(resetAfter.trim());
            Duration spacing = Duration.ofMillis((long) (seconds * 1000 / (left + 1)));
            nextEdit.put(channelId, clock.instant().plus(spacing));
        } catch (NumberFormatException ignored) {
            // A header we cannot read: Discord4J's own handling still applies.
        }
    }

    /** Completes when an edit in this channel fits the channel's learned budget and the global edit budget. */
    Mono<Void> slot(String channelId) {
        return Mono.defer(() -> waitUntil(nextEdit.get(channelId)))
                .then(Mono.defer(() -> fixedInterval.isPresent() ? Mono.empty() : waitUntil(claimGlobal())));
    }

    /** The time of the next free global slot, taken: slots are {@link #GLOBAL_SPACING} apart. */
    private synchronized Instant claimGlobal() {
        Instant now = clock.instant();
        Instant at = nextGlobal.isAfter(now) ? nextGlobal : now;
        nextGlobal = at.plus(GLOBAL_SPACING);
        return at;
    }

    private Mono<Void> waitUntil(Instant at) {
        if (at == null) {
            return Mono.empty();
        }
        Duration wait = Duration.between(clock.instant(), at);
        return wait.isNegative() || wait.isZero() ? Mono.empty() : Mono.delay(wait).then();
    }

    /**
     * Discord4J's own global limiter, in small windows: its default of 50 per 1 s window, out of phase with
     * Discord's window, lets up to twice that through in one of Discord's seconds. One per 21 ms is 47 a second and
     * at most 49 in any second, whatever its phase.
     */
    static GlobalRateLimiter globalRateLimiter() {
        return BucketGlobalRateLimiter.create(1, Duration.ofMillis(21), Schedulers.parallel());
    }
}
