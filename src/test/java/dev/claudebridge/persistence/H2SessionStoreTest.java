package dev.claudebridge.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The store contract on an H2 file in a temporary directory, as the bot runs by default. */
final class H2SessionStoreTest extends SessionStoreContract {

    @TempDir
    Path dataDir;

    @Override
    String newDatabaseUrl() {
        return Persistence.h2Url(dataDir);
    }

    @Override
    String anotherDatabaseUrl() throws Exception {
        return Persistence.h2Url(Files.createDirectories(dataDir.resolve("another")));
    }

    @Test
    void theDatabaseIsAFileUnderTheDataDirectory() {
        assertThat(url).isEqualTo("r2dbc:h2:file:///" + dataDir.toAbsolutePath().normalize() + "/claude-bridge")
                .startsWith("r2dbc:h2:file:////");
        assertThat(dataDir.resolve("claude-bridge.mv.db")).exists();
    }

    @Test
    void h2WorkRunsOnTheDbThreadWhoeverCalls() {
        // Rows are read (and mapped) by the thread that drives H2: it must be the db scheduler's, even for a caller
        // on a parallel thread.
        Mono.defer(() -> store.saveSession(session("t-1", "o", T0))
                        .then(Mono.fromSupplier(() -> Thread.currentThread().getName()))
                        .zipWith(store.loadSessions().map(s -> Thread.currentThread().getName()).next()))
                .subscribeOn(Schedulers.parallel())
                .as(StepVerifier::create)
                .assertNext(threads -> {
                    assertThat(threads.getT1()).as("after a save").startsWith("db-");
                    assertThat(threads.getT2()).as("while reading rows").startsWith("db-");
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void theStoreHoldsOneConnectionWhileOpenAndNoneOnceClosed() throws Exception {
        assertThat(h2Sessions()).as("the store's keep-alive connection and this one").isEqualTo(2);

        Persistence.close(store).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store = null;

        assertThat(h2Sessions()).as("only this one").isEqualTo(1);
    }

    /** H2's count of open sessions on the test's database, asked over JDBC from the test thread. */
    private long h2Sessions() throws Exception {
        DatabaseUrl parsed = DatabaseUrl.parse(url);
        try (var connection = DriverManager.getConnection(parsed.jdbcUrl(), parsed.user(), parsed.password());
                var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
