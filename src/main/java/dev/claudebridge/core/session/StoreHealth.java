package dev.claudebridge.core.session;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the sessions' writes reach the store: false from a write that failed even after its retries until a
 * later write succeeds. {@code /readyz} names the store while it is false, so an operator sees that what the bot
 * does now may not survive a restart.
 */
public final class StoreHealth {

    private final AtomicBoolean failing = new AtomicBoolean();

    void failed() {
        failing.set(true);
    }

    void succeeded() {
        failing.set(false);
    }

    /** True while the newest write that ended, failed. */
    public boolean failing() {
        return failing.get();
    }
}
