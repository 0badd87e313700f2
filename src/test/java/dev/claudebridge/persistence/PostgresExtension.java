package dev.claudebridge.persistence;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one {@link PostgresServer} for the whole test run, the first time a class that registers this extension
 * runs, on the test thread. It lives in the root context's store, so JUnit stops it (and deletes its directory) when
 * the run ends.
 */
final class PostgresExtension implements BeforeAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    private PostgresServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(PostgresServer.class, key -> {
                    try {
                        return PostgresServer.start();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while starting PostgreSQL", e);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("could not start PostgreSQL", e);
                    }
                }, PostgresServer.class);
    }

    PostgresServer server() {
        if (server == null) {
            throw new IllegalStateException("PostgresExtension is used before its beforeAll ran");
        }
        return server;
    }
}
