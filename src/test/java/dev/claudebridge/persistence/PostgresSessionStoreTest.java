package dev.claudebridge.persistence;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract on a real PostgreSQL server that the tests start ({@link PostgresServer}), one new database per
 * test, reached over TCP with the password in the URL's user info.
 */
final class PostgresSessionStoreTest extends SessionStoreContract {

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Override
    String newDatabaseUrl() {
        return POSTGRES.server().createDatabase();
    }

    @Override
    String anotherDatabaseUrl() {
        return POSTGRES.server().createDatabase();
    }
}
