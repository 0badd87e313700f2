package dev.claudebridge.core.port;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether an agent could resume a stored conversation, and if not, why: the core decides what follows (today a fresh
 * conversation, said in the thread with this reason).
 *
 * @param obstacle empty when a resume can work; else a short phrase for the thread, e.g. "its transcript was not
 *                 found"
 */
public record Resumability(Optional<String> obstacle) {

    public static final Resumability POSSIBLE = new Resumability(Optional.empty());

    public Resumability {
        Objects.requireNonNull(obstacle, "obstacle must not be null");
    }

    public static Resumability impossible(String why) {
        return new Resumability(Optional.of(why));
    }

    public boolean possible() {
        return obstacle.isEmpty();
    }
}
