package dev.claudebridge.persistence;

import dev.claudebridge.core.port.SessionStore;
import io.r2dbc.h2.H2ConnectionConfiguration;
import io.r2dbc.h2.H2ConnectionFactory;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The persistence adapter's entry point (docs/architecture.md §2, §3.10): opens a {@link SessionStore} over R2DBC, H2 in
 * a file by default or PostgreSQL by URL, after Flyway has brought the schema up to date.
 *
 * <pre>{@code
 * Scheduler db = Schedulers.newBoundedElastic(1, 100_000, "db");
 * Persistence.open(Persistence.h2Url(dataDir), db)      // or DATABASE_URL
 *         .flatMap(store -> runTheBot(store).then(Persistence.close(store)));
 * }</pre>
 *
 * <p>Everything blocking (Flyway over JDBC, every H2 call) runs on {@code db}, which must be a scheduler that may
 * block: a one-thread {@code Schedulers.newBoundedElastic(1, ..., "db")}, never {@code newSingle} (docs/architecture.md, style G5).
 */
public final class Persistence {

    /** The file name (without H2's {@code .mv.db}) of the default database under {@code DATA_DIR}. */
    public static final String H2_FILE_NAME = "claude-bridge";

    private static final Logger log = LoggerFactory.getLogger(Persistence.class);
    private static final int POOL_MAX_SIZE = 10;
    private static final Duration POOL_MAX_ACQUIRE_TIME = Duration.ofSeconds(30);

    private Persistence() {
    }

    /**
     * The default {@code DATABASE_URL}: an H2 file {@code claude-bridge} in the absolute form of {@code dataDir}
     * ({@code r2dbc:h2:file:////abs/data/claude-bridge}).
     */
    public static String h2Url(Path dataDir) {
        Path file = dataDir.toAbsolutePath().normalize().resolve(H2_FILE_NAME);
        return "r2dbc:h2:file:///" + file;
    }

    /**
     * Migrates the database and opens a store on it. Fails with an {@link IllegalArgumentException} for a URL it does
     * not accept (see {@code DatabaseUrl}), and with the driver's or Flyway's error when the database cannot be
     * reached or migrated. Close the store with {@link #close(SessionStore)}.
     *
     * @param r2dbcUrl {@code r2dbc:h2:file:////abs/path} or {@code r2dbc:postgresql://user:pw@host:port/db}
     * @param db       the one-thread scheduler all blocking database work runs on
     */
    public static Mono<SessionStore> open(String r2dbcUrl, Scheduler db) {
        Objects.requireNonNull(r2dbcUrl, "r2dbcUrl must not be null");
        Objects.requireNonNull(db, "db must not be null");
        return Mono.fromCallable(() -> DatabaseUrl.parse(r2dbcUrl))
                .flatMap(url -> switch (url.kind()) {
                    case H2 -> openH2(url, db);
                    case POSTGRESQL -> openPostgresql(url, db);
                })
                .subscribeOn(db);
    }

    /** Releases what an opened store holds (H2's database file, PostgreSQL's pool). Closing twice does nothing. */
    public static Mono<Void> close(SessionStore store) {
        Objects.requireNonNull(store, "store must not be null");
        if (store instanceof R2dbcSessionStore opened) {
            return opened.close();
        }
        return Mono.error(new IllegalArgumentException("not a store opened by Persistence.open: " + store));
    }

    /** Opens a store, uses it and closes it again in one scope, whatever way the use ends (docs/architecture.md, style G6). */
    public static <T> Flux<T> withStore(String r2dbcUrl, Scheduler db, Function<SessionStore, Publisher<T>> use) {
        return Flux.usingWhen(open(r2dbcUrl, db), use, Persistence::close);
    }

    /**
     * H2: one connection stays open for the store's life, so the database stays open between calls (H2 closes a
     * database when its last connection closes) and an in-memory one survives; Flyway migrates it through the same
     * embedded database. Closing the store closes that connection and with it the file.
     */
    private static Mono<SessionStore> openH2(DatabaseUrl url, Scheduler db) {
        String h2Url = url.jdbcUrl().substring("jdbc:h2:".length());
        ConnectionFactory factory = new H2ConnectionFactory(H2ConnectionConfiguration.builder()
                .url(h2Url)
                .username(url.user())
                .password(url.password())
                .build());
        return Mono.from(factory.create())
                .subscribeOn(db)
                .flatMap(keepAlive -> {
                    Mono<Void> release = Mono.from(keepAlive.close()).subscribeOn(db);
                    // H2 flushes commits to the file up to 500 ms later by default: a bot killed with SIGKILL
                    // would lose its last writes (the inbox of a crash, say). Every commit is made durable.
                    Mono<Void> durable = Mono.from(keepAlive.createStatement("SET WRITE_DELAY 0").execute())
                            .flatMap(result -> Mono.from(result.getRowsUpdated()))
                            .subscribeOn(db)
                            .then();
                    return durable.then(Mono.fromCallable(() -> Migrations.migrate(url)))
                            .subscribeOn(db)
                            .<SessionStore>thenReturn(new R2dbcSessionStore(factory, db, release))
                            .onErrorResume(e -> release.then(Mono.error(e)));
                })
                .doOnSuccess(store -> log.info("session store open: H2 {}", url.describe()));
    }

    /** PostgreSQL: migrate over JDBC first, then a pool of R2DBC connections (the driver is non-blocking). */
    private static Mono<SessionStore> openPostgresql(DatabaseUrl url, Scheduler db) {
        return Mono.fromCallable(() -> Migrations.migrate(url))
                .subscribeOn(db)
                .then(Mono.fromCallable(() -> {
                    ConnectionFactory driver = ConnectionFactories.get(url.options());
                    ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(driver)
                            .name("claude-bridge")
                            .initialSize(1)
                            .maxSize(POOL_MAX_SIZE)
                            .maxAcquireTime(POOL_MAX_ACQUIRE_TIME)
                            .build());
                    return pool;
                }).subscribeOn(db))
                .flatMap(pool -> Mono.usingWhen(pool.create(), Persistence::validate, Connection::close)
                        .<SessionStore>thenReturn(new R2dbcSessionStore(pool, db, Mono.defer(pool::disposeLater)))
                        .onErrorResume(e -> Mono.defer(pool::disposeLater).then(Mono.error(e))))
                .doOnSuccess(store -> log.info("session store open: PostgreSQL {}", url.describe()));
    }

    /** The first R2DBC connection proves the URL's options work for the driver too, not only for JDBC. */
    private static Mono<Void> validate(Connection connection) {
        return Flux.from(connection.createStatement("SELECT 1").execute())
                .concatMap(result -> result.map(row -> 1))
                .then();
    }
}
