package dev.claudebridge.ops;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Asks every check at once, each within a bound, and says which failed. */
final class Readiness {

    /** Well inside the probes' {@code timeoutSeconds: 5} in k8s/statefulset.yaml. */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

    record Answer(boolean ready, String body) {
    }

    private record Result(String name, boolean ok) {
    }

    private final List<ReadinessCheck> checks;

    Readiness(List<ReadinessCheck> checks) {
        this.checks = List.copyOf(checks);
    }

    Mono<Answer> evaluate() {
        return Flux.fromIterable(checks)
                .flatMapSequential(check -> Mono.defer(check.probe())
                        .timeout(CHECK_TIMEOUT, Mono.just(false))
                        .onErrorReturn(false)
                        .defaultIfEmpty(false)
                        .map(ok -> new Result(check.name(), ok)))
                .collectList()
                .map(Readiness::answer);
    }

    private static Answer answer(List<Result> results) {
        List<String> failing = results.stream().filter(r -> !r.ok()).map(Result::name).toList();
        String lines = results.stream().map(r -> r.name() + ": " + (r.ok() ? "ok" : "failing"))
                .collect(Collectors.joining("\n", "", "\n"));
        return failing.isEmpty() ? new Answer(true, "ready\n" + lines)
                : new Answer(false, "not ready: " + String.join(", ", failing) + "\n" + lines);
    }
}
