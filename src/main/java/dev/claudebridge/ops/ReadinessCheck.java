package dev.claudebridge.ops;

import java.util.Objects;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * One condition of {@code /readyz}: a name said in the answer, and a probe asked afresh on every request. A probe
 * that errs, stays silent or answers late counts as failing: readiness never hangs on what it checks.
 *
 * @param name  for the answer's body, e.g. {@code gateway} or {@code database}
 * @param probe true when the condition holds now
 */
public record ReadinessCheck(String name, Supplier<Mono<Boolean>> probe) {

    public ReadinessCheck {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(probe, "probe must not be null");
    }
}
