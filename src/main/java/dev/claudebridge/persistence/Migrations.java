package dev.claudebridge.persistence;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flyway over JDBC, once at start-up (docs/architecture.md §3.10). Blocking: the caller runs it on the {@code db}
 * scheduler. The scripts are {@code src/main/resources/db/migration/V*__*.sql}, in SQL that H2 and PostgreSQL both
 * accept; applying them again to a migrated database does nothing.
 */
final class Migrations {

    static final String LOCATION = "classpath:db/migration";

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {
    }

    /** Brings the database to the newest schema; returns how many scripts it applied. */
    static int migrate(DatabaseUrl url) {
        Flyway flyway = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(url.jdbcUrl(), url.user(), url.password())
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .connectRetries(0)
                .load();
        MigrateResult result = flyway.migrate();
        log.info("database {}: schema at version {} ({} migration(s) applied now)", url.describe(),
                result.targetSchemaVersion == null ? result.initialSchemaVersion : result.targetSchemaVersion,
                result.migrationsExecuted);
        return result.migrationsExecuted;
    }
}
