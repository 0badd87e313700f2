package dev.claudebridge.discord;

import discord4j.rest.request.DiscordWebRequest;
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

/**
 * Spreads each channel's message edits evenly over the budget Discord announces in its rate-limit headers, instead
 * of bursting and then waiting out the window (ARCHITECTURE.md §3.6). After each edit response with
 * {@code Remaining = r} and {@code Reset-After = t}, the next edit in that channel waits {@code t / (r + 1)}: with
 * 5 per 5 s that is one edit a second, and a lowered limit is followed from the next response on. Discord4J reads the
 * same headers in its router; this class only reads them too, through a response transformer.
 */
final class EditPacer {

    private static final Pattern EDIT = Pattern.compile("/channels/(\\d+)/messages/\\d+");

    private final Clock clock;
    private final Optional<Duration> fixedInterval;
    private final Map<String, Instant> nextEdit = new ConcurrentHashMap<>();

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

    /** Completes when an edit in this channel fits the learned budget. */
    Mono<Void> slot(String channelId) {
        Instant at = nextEdit.get(channelId);
        if (at == null) {
            return Mono.empty();
        }
        Duration wait = Duration.between(clock.instant(), at);
        return wait.isNegative() || wait.isZero() ? Mono.empty() : Mono.delay(wait).then();
    }
}
