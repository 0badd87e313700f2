package dev.claudebridge.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.core.port.ChildLedger;
import dev.claudebridge.core.port.SessionStore;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * {@link SessionStore} over R2DBC, for H2 and PostgreSQL with the same SQL (docs/architecture.md §3.10).
 *
 * <p>Every call opens a connection in {@code Mono/Flux.usingWhen} and closes it in the same scope (docs/architecture.md, style G6).
 * Every call subscribes on the {@code db} scheduler, and a connection is closed (or a transaction rolled back) on
 * it as well, even when a caller on another thread cancels: H2 runs synchronously on whichever thread drives it
 * (docs/architecture.md, style P10). With PostgreSQL the driver's own event loop delivers the rows.
 *
 * <p>What a round trip changes: instants are kept to the microsecond (both databases' precision; truncated, not
 * rounded), durations to the millisecond, costs to 12 decimal places (rounded half-even) and read back without
 * trailing zeros (compare them with {@code compareTo}).
 */
final class R2dbcSessionStore implements SessionStore {

    static final int COST_SCALE = 12;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {
    };

    private static final String SESSION_COLUMNS = "platform, thread_id, title, channel_id, guild_id, owner_id, state, "
            + "model, work_dir, cli_session_id, created_at, updated_at, last_activity, prompts_answered, tokens_in, "
            + "tokens_out, cost_usd, turn_running, permission_mode, plan_return_mode";

    /**
     * Standard MERGE: the source row is a SELECT of typed parameters (each bound once), so both databases know every
     * parameter's type and neither needs its own upsert syntax.
     */
    private static final String MERGE_SESSION = """
            MERGE INTO sessions t
            USING (SELECT CAST($1 AS VARCHAR(32)) AS platform, CAST($2 AS VARCHAR(100)) AS thread_id,
                          CAST($3 AS TEXT) AS title,
                          CAST($4 AS VARCHAR(100)) AS channel_id, CAST($5 AS VARCHAR(100)) AS guild_id,
                          CAST($6 AS VARCHAR(100)) AS owner_id, CAST($7 AS VARCHAR(32)) AS state,
                          CAST($8 AS VARCHAR(200)) AS model, CAST($9 AS TEXT) AS work_dir,
                          CAST($10 AS VARCHAR(100)) AS cli_session_id,
                          CAST($11 AS TIMESTAMP WITH TIME ZONE) AS created_at,
                          CAST($12 AS TIMESTAMP WITH TIME ZONE) AS updated_at,
                          CAST($13 AS TIMESTAMP WITH TIME ZONE) AS last_activity,
                          CAST($14 AS INTEGER) AS prompts_answered, CAST($15 AS BIGINT) AS tokens_in,
                          CAST($16 AS BIGINT) AS tokens_out, CAST($17 AS DECIMAL(24, 12)) AS cost_usd,
                          CAST($18 AS BOOLEAN) AS turn_running, CAST($19 AS VARCHAR(32)) AS permission_mode,
                          CAST($20 AS VARCHAR(32)) AS plan_return_mode) s
            ON t.platform = s.platform AND t.thread_id = s.thread_id
            WHEN MATCHED THEN UPDATE SET title = s.title, channel_id = s.channel_id, guild_id = s.guild_id,
                owner_id = s.owner_id, state = s.state, model = s.model, work_dir = s.work_dir,
                cli_session_id = s.cli_session_id, created_at = s.created_at, updated_at = s.updated_at,
                last_activity = s.last_activity, prompts_answered = s.prompts_answered, tokens_in = s.tokens_in,
                tokens_out = s.tokens_out, cost_usd = s.cost_usd, turn_running = s.turn_running,
                permission_mode = s.permission_mode, plan_return_mode = s.plan_return_mode
            WHEN NOT MATCHED THEN INSERT (%1$s)
                VALUES (s.platform, s.thread_id, s.title, s.channel_id, s.guild_id, s.owner_id, s.state, s.model,
                        s.work_dir, s.cli_session_id, s.created_at, s.updated_at, s.last_activity, s.prompts_answered,
                        s.tokens_in, s.tokens_out, s.cost_usd, s.turn_running, s.permission_mode,
                        s.plan_return_mode)
            """.formatted(SESSION_COLUMNS);

    private static final String SELECT_SESSIONS = "SELECT " + SESSION_COLUMNS
            + " FROM sessions ORDER BY created_at, platform, thread_id";

    private static final String TURN_COLUMNS = "platform, thread_id, owner_id, prompt, reply_text, tool_lines, "
            + "outcome, cost_usd, tokens_in, tokens_out, duration_ms, started_at, ended_at";
    private static final String INSERT_TURN = "INSERT INTO turns (" + TURN_COLUMNS
            + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
    private static final String SELECT_TURNS = "SELECT " + TURN_COLUMNS
            + " FROM turns WHERE platform = $1 AND thread_id = $2 ORDER BY id";

    private static final String DELETE_INBOX = "DELETE FROM inbox WHERE platform = $1 AND thread_id = $2";
    private static final String INSERT_INBOX = "INSERT INTO inbox (platform, thread_id, seq, position, prompt_text, "
            + "author_id, message_id, received_at, images) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    private static final String SELECT_INBOX = "SELECT platform, thread_id, position, prompt_text, author_id, "
            + "message_id, received_at, images FROM inbox WHERE platform = $1 AND thread_id = $2 ORDER BY seq";

    private static final String DELETE_RUNNING = "DELETE FROM running_turns WHERE platform = $1 AND thread_id = $2";
    private static final String INSERT_RUNNING = "INSERT INTO running_turns (platform, thread_id, agent_position, "
            + "prompt_text, author_id, prompt_message_id, reply_message_ids, started_at) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    private static final String SELECT_RUNNING = "SELECT platform, thread_id, agent_position, prompt_text, author_id, "
            + "prompt_message_id, reply_message_ids, started_at FROM running_turns ORDER BY started_at";

    private static final String MERGE_CHILD = """
            MERGE INTO cli_children t
            USING (SELECT CAST($1 AS BIGINT) AS pid, CAST($2 AS VARCHAR(32)) AS platform,
                          CAST($3 AS VARCHAR(100)) AS thread_id, CAST($4 AS TIMESTAMP WITH TIME ZONE) AS started_at) s
            ON t.pid = s.pid
            WHEN MATCHED THEN UPDATE SET platform = s.platform, thread_id = s.thread_id, started_at = s.started_at
            WHEN NOT MATCHED THEN INSERT (pid, platform, thread_id, started_at)
                VALUES (s.pid, s.platform, s.thread_id, s.started_at)
            """;
    private static final String DELETE_CHILD = "DELETE FROM cli_children WHERE pid = $1";
    private static final String SELECT_CHILDREN = "SELECT platform, thread_id, pid, started_at FROM cli_children "
            + "ORDER BY pid";

    private static final String USER_TOTALS = """
            SELECT CAST(COUNT(*) AS BIGINT) AS turns,
                   CAST(COALESCE(SUM(tokens_in), 0) AS BIGINT) AS tokens_in,
                   CAST(COALESCE(SUM(tokens_out), 0) AS BIGINT) AS tokens_out,
                   CAST(COALESCE(SUM(cost_usd), 0) AS DECIMAL(30, 12)) AS cost_usd
            FROM turns WHERE platform = $1 AND owner_id = $2 AND ended_at >= $3
            """;

    private static final Duration PING_TIMEOUT = Duration.ofSeconds(5);

    private final ConnectionFactory connections;
    private final Scheduler db;
    private final Mono<Void> release;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ChildLedger children = new Children();

    /**
     * @param release what closing the store releases (the H2 keep-alive connection, the PostgreSQL pool); it runs
     *                once
     */
    R2dbcSessionStore(ConnectionFactory connections, Scheduler db, Mono<Void> release) {
        this.connections = Objects.requireNonNull(connections, "connections must not be null");
        this.db = Objects.requireNonNull(db, "db must not be null");
        this.release = Objects.requireNonNull(release, "release must not be null");
    }

    // ---- sessions

    @Override
    public Mono<Void> saveSession(SessionRecord s) {
        Objects.requireNonNull(s, "session must not be null");
        return update(c -> {
            Statement st = c.createStatement(MERGE_SESSION);
            st.bind(0, s.platform()).bind(1, s.threadId()).bind(2, s.title()).bind(3, s.channelId())
                    .bind(4, s.guildId()).bind(5, s.ownerId()).bind(6, s.state());
            bindOptional(st, 7, s.model());
            st.bind(8, s.workDir());
            bindOptional(st, 9, s.cliSessionId());
            st.bind(10, time(s.createdAt())).bind(11, time(s.updatedAt())).bind(12, time(s.lastActivity()))
                    .bind(13, s.promptsAnswered()).bind(14, s.tokensIn()).bind(15, s.tokensOut())
                    .bind(16, money(s.costUsd())).bind(17, s.turnRunning());
            bindOptional(st, 18, s.permissionMode());
            bindOptional(st, 19, s.planReturnMode());
            return st.execute();
        });
    }

    @Override
    public Flux<SessionRecord> loadSessions() {
        return query(c -> c.createStatement(SELECT_SESSIONS).execute(), row -> new SessionRecord(
                row.get("platform", String.class), row.get("thread_id", String.class), row.get("title", String.class),
                row.get("channel_id", String.class), row.get("guild_id", String.class),
                row.get("owner_id", String.class), row.get("state", String.class),
                Optional.ofNullable(row.get("model", String.class)), row.get("work_dir", String.class),
                Optional.ofNullable(row.get("cli_session_id", String.class)), instant(row, "created_at"),
                instant(row, "updated_at"), instant(row, "last_activity"),
                row.get("prompts_answered", Integer.class), row.get("tokens_in", Long.class),
                row.get("tokens_out", Long.class), money(row, "cost_usd"), row.get("turn_running", Boolean.class),
                Optional.ofNullable(row.get("permission_mode", String.class)),
                Optional.ofNullable(row.get("plan_return_mode", String.class))));
    }

    // ---- turns

    @Override
    public Mono<Void> saveTurn(TurnRecord t) {
        Objects.requireNonNull(t, "turn must not be null");
        return update(c -> c.createStatement(INSERT_TURN)
                .bind(0, t.platform()).bind(1, t.threadId()).bind(2, t.ownerId()).bind(3, t.prompt())
                .bind(4, t.replyText()).bind(5, toJson(t.toolLines())).bind(6, t.outcome())
                .bind(7, money(t.costUsd())).bind(8, t.tokensIn()).bind(9, t.tokensOut())
                .bind(10, t.duration().toMillis()).bind(11, time(t.startedAt())).bind(12, time(t.endedAt()))
                .execute());
    }

    @Override
    public Flux<TurnRecord> turns(String platform, String threadId) {
        Objects.requireNonNull(platform, "platform must not be null");
        Objects.requireNonNull(threadId, "threadId must not be null");
        return query(c -> c.createStatement(SELECT_TURNS).bind(0, platform).bind(1, threadId).execute(),
                row -> new TurnRecord(row.get("platform", String.class), row.get("thread_id", String.class),
                        row.get("owner_id", String.class), row.get("prompt", String.class),
                        row.get("reply_text", String.class), fromJson(row.get("tool_lines", String.class)),
                        row.get("outcome", String.class), money(row, "cost_usd"), row.get("tokens_in", Long.class),
                        row.get("tokens_out", Long.class), Duration.ofMillis(row.get("duration_ms", Long.class)),
                        instant(row, "started_at"), instant(row, "ended_at")));
    }

    // ---- inbox

    @Override
    public Mono<Void> saveInbox(String platform, String threadId, List<QueuedPrompt> prompts) {
        Objects.requireNonNull(platform, "platform must not be null");
        Objects.requireNonNull(threadId, "threadId must not be null");
        List<QueuedPrompt> copy = List.copyOf(prompts);
        return transaction(c -> {
            Mono<Void> delete = rowsUpdated(c.createStatement(DELETE_INBOX).bind(0, platform).bind(1, threadId)
                    .execute());
            if (copy.isEmpty()) {
                return delete;
            }
            Statement insert = c.createStatement(INSERT_INBOX);
            for (int seq = 0; seq < copy.size(); seq++) {
                QueuedPrompt p = copy.get(seq);
                if (seq > 0) {
                    insert.add();
                }
                insert.bind(0, platform).bind(1, threadId).bind(2, seq).bind(3, p.position()).bind(4, p.text())
                        .bind(5, p.authorId());
                bindOptional(insert, 6, p.messageId());
                insert.bind(7, time(p.receivedAt()));
                bindOptional(insert, 8, p.images().isEmpty() ? Optional.empty() : Optional.of(toJson(p.images())));
            }
            return delete.then(rowsUpdated(insert.execute()));
        });
    }

    @Override
    public Flux<QueuedPrompt> inbox(String platform, String threadId) {
        Objects.requireNonNull(platform, "platform must not be null");
        Objects.requireNonNull(threadId, "threadId must not be null");
        return query(c -> c.createStatement(SELECT_INBOX).bind(0, platform).bind(1, threadId).execute(),
                row -> new QueuedPrompt(row.get("platform", String.class), row.get("thread_id", String.class),
                        row.get("position", Integer.class), row.get("prompt_text", String.class),
                        row.get("author_id", String.class), Optional.ofNullable(row.get("message_id", String.class)),
                        instant(row, "received_at"), Optional.ofNullable(row.get("images", String.class))
                                .map(R2dbcSessionStore::fromJson).orElse(List.of())));
    }

    // ---- running turns (an agent that outlives the bot)

    @Override
    public Mono<Void> saveRunningTurn(RunningTurn turn) {
        Objects.requireNonNull(turn, "turn must not be null");
        return transaction(c -> {
            Statement insert = c.createStatement(INSERT_RUNNING).bind(0, turn.platform()).bind(1, turn.threadId())
                    .bind(2, turn.agentPosition()).bind(3, turn.prompt()).bind(4, turn.authorId());
            bindOptional(insert, 5, turn.promptMessageId());
            // Message ids are platform ids (letters, digits): a comma never occurs in one.
            insert.bind(6, String.join(",", turn.replyMessageIds())).bind(7, time(turn.startedAt()));
            return rowsUpdated(c.createStatement(DELETE_RUNNING).bind(0, turn.platform()).bind(1, turn.threadId())
                    .execute()).then(rowsUpdated(insert.execute()));
        });
    }

    @Override
    public Mono<Void> clearRunningTurn(String platform, String threadId) {
        Objects.requireNonNull(platform, "platform must not be null");
        Objects.requireNonNull(threadId, "threadId must not be null");
        return update(c -> c.createStatement(DELETE_RUNNING).bind(0, platform).bind(1, threadId).execute());
    }

    @Override
    public Flux<RunningTurn> runningTurns() {
        return query(c -> c.createStatement(SELECT_RUNNING).execute(),
                row -> {
                    String ids = row.get("reply_message_ids", String.class);
                    return new RunningTurn(row.get("platform", String.class), row.get("thread_id", String.class),
                            row.get("agent_position", String.class), row.get("prompt_text", String.class),
                            row.get("author_id", String.class),
                            Optional.ofNullable(row.get("prompt_message_id", String.class)),
                            ids == null || ids.isEmpty() ? List.of() : List.of(ids.split(",")),
                            instant(row, "started_at"));
                });
    }

    // ---- CLI children

    @Override
    public ChildLedger children() {
        return children;
    }

    /** The {@code cli_children} table as the agent runtime's ledger. */
    private final class Children implements ChildLedger {

        @Override
        public Mono<Void> started(Child child) {
            Objects.requireNonNull(child, "child must not be null");
            return update(c -> c.createStatement(MERGE_CHILD)
                    .bind(0, child.pid()).bind(1, child.platform()).bind(2, child.threadId())
                    .bind(3, time(child.startedAt()))
                    .execute());
        }

        @Override
        public Mono<Void> ended(long pid) {
            return update(c -> c.createStatement(DELETE_CHILD).bind(0, pid).execute());
        }

        @Override
        public Flux<Child> all() {
            return query(c -> c.createStatement(SELECT_CHILDREN).execute(), row -> new Child(
                    row.get("platform", String.class), row.get("thread_id", String.class), row.get("pid", Long.class),
                    instant(row, "started_at")));
        }
    }

    // ---- totals and readiness

    @Override
    public Mono<UserTotals> userTotals(String platform, String ownerId, Instant since) {
        Objects.requireNonNull(platform, "platform must not be null");
        Objects.requireNonNull(ownerId, "ownerId must not be null");
        Objects.requireNonNull(since, "since must not be null");
        return query(c -> c.createStatement(USER_TOTALS).bind(0, platform).bind(1, ownerId).bind(2, time(since))
                        .execute(),
                row -> new UserTotals(Math.toIntExact(row.get("turns", Long.class)), row.get("tokens_in", Long.class),
                        row.get("tokens_out", Long.class), money(row, "cost_usd")))
                .next()
                .defaultIfEmpty(UserTotals.ZERO);
    }

    /** True when a trivial query answers within 5 s; false (never an error) otherwise. */
    @Override
    public Mono<Boolean> ping() {
        return query(c -> c.createStatement("SELECT 1 AS one").execute(), row -> row.get("one", Integer.class))
                .next()
                .map(one -> one == 1)
                .timeout(PING_TIMEOUT)
                .onErrorReturn(false)
                .defaultIfEmpty(false);
    }

    /** Releases what the store holds; later calls do nothing. */
    Mono<Void> close() {
        return Mono.defer(() -> closed.compareAndSet(false, true) ? release : Mono.empty());
    }

    // ---- plumbing

    /** A query's rows, mapped on the thread that reads them (the {@code db} thread for H2). */
    private <T> Flux<T> query(Function<Connection, Publisher<? extends Result>> statement,
            Function<Readable, T> mapper) {
        return Flux.usingWhen(connections.create(),
                        c -> Flux.from(statement.apply(c)).concatMap(result -> result.map(mapper)),
                        this::closeOnDb)
                .subscribeOn(db);
    }

    /** One statement for its effect. */
    private Mono<Void> update(Function<Connection, Publisher<? extends Result>> statement) {
        return Mono.usingWhen(connections.create(), c -> rowsUpdated(statement.apply(c)), this::closeOnDb)
                .subscribeOn(db);
    }

    /** Work in one transaction: committed when it completes, rolled back when it fails or is cancelled. */
    private Mono<Void> transaction(Function<Connection, Mono<Void>> work) {
        return Mono.usingWhen(connections.create(),
                        c -> Mono.usingWhen(Mono.from(c.beginTransaction()).thenReturn(c), work,
                                tx -> c.commitTransaction(),
                                (tx, error) -> onDb(tx.rollbackTransaction()),
                                tx -> onDb(tx.rollbackTransaction())),
                        this::closeOnDb)
                .subscribeOn(db);
    }

    private static Mono<Void> rowsUpdated(Publisher<? extends Result> results) {
        return Flux.from(results).concatMap(Result::getRowsUpdated).then();
    }

    private Mono<Void> closeOnDb(Connection c) {
        return onDb(c.close());
    }

    /** A cleanup that may be triggered by a cancel on a caller's thread still runs on {@code db}. */
    private Mono<Void> onDb(Publisher<Void> cleanup) {
        return Mono.from(cleanup).subscribeOn(db);
    }

    private static void bindOptional(Statement st, int index, Optional<String> value) {
        if (value.isPresent()) {
            st.bind(index, value.get());
        } else {
            st.bindNull(index, String.class);
        }
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(Readable row, String column) {
        return row.get(column, OffsetDateTime.class).toInstant();
    }

    static BigDecimal money(BigDecimal value) {
        return value.setScale(COST_SCALE, RoundingMode.HALF_EVEN);
    }

    /** A stored amount without its trailing zeros, and never in exponent form ({@code 100}, not {@code 1E+2}). */
    static BigDecimal money(Readable row, String column) {
        BigDecimal stored = row.get(column, BigDecimal.class);
        BigDecimal plain = stored.stripTrailingZeros();
        return plain.scale() < 0 ? plain.setScale(0) : plain;
    }

    private static String toJson(List<String> lines) {
        try {
            return JSON.writeValueAsString(lines);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings did not serialize", e);
        }
    }

    private static List<String> fromJson(String json) {
        try {
            return JSON.readValue(json, STRING_LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("turns.tool_lines or inbox.images is not a JSON list of strings", e);
        }
    }
}
