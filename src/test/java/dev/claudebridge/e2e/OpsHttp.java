package dev.claudebridge.e2e;

import java.time.Duration;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** GETs on the bot's ops endpoint, from the test thread; every wait is bounded. */
final class OpsHttp {

    record Answer(int status, String body) {
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(100);

    private final HttpClient client;

    OpsHttp(int port) {
        // A new connection per request: a pooled one the server has closed meanwhile made a request wait for its
        // whole timeout on CI (status 0 after 10 s), which said nothing about the ops endpoint itself.
        this.client = HttpClient.create(ConnectionProvider.newConnection()).baseUrl("http://127.0.0.1:" + port);
    }

    /** One request; a refused connection is status 0. */
    Mono<Answer> request(String path) {
        return client.get().uri(path)
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(text -> new Answer(response.status().code(), text)))
                .timeout(REQUEST_TIMEOUT)
                .onErrorResume(e -> Mono.just(new Answer(0, e.toString())));
    }

    Answer get(String path) {
        return request(path).block(REQUEST_TIMEOUT.plusSeconds(1));
    }

    /** Asks again every 100 ms until an answer matches; fails after {@code within}. */
    Answer await(String path, Predicate<Answer> matches, Duration within) {
        Answer answer = Flux.interval(Duration.ZERO, POLL)
                .onBackpressureDrop() // a slow answer skips ticks instead of overflowing the interval
                .concatMap(tick -> request(path), 1)
                .filter(matches)
                .blockFirst(within);
        if (answer == null) {
            throw new AssertionError("no matching answer from " + path + " within " + within);
        }
        return answer;
    }
}
