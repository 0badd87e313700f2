package dev.claudebridge.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudebridge.core.port.SessionStore;
import dev.claudebridge.core.port.ChildLedger.Child;
import dev.claudebridge.core.port.SessionStore.QueuedPrompt;
import dev.claudebridge.core.port.SessionStore.SessionRecord;
import dev.claudebridge.core.port.SessionStore.TurnRecord;
import dev.claudebridge.core.port.SessionStore.UserTotals;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * What every {@link SessionStore} from {@link Persistence#open} does, run against H2 and PostgreSQL. Each test gets
 * a fresh, migrated database and its own one-thread {@code db} scheduler. Expected values are the literals the test
 * wrote, never read back through the store's own code.
 */
abstract class SessionStoreContract {

    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456Z");
    static final String DISCORD = "discord";
    static final String MATTERMOST = "mattermost";

    Scheduler db;
    String url;
    SessionStore store;

    /** A fresh, empty database for one test. */
    abstract String newDatabaseUrl() throws Exception;

    /** Another fresh, empty database, not the one {@link #newDatabaseUrl} gave, and not migrated. */
    abstract String anotherDatabaseUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        db = Schedulers.newBoundedElastic(1, 10_000, "db");
        url = newDatabaseUrl();
        store = Persistence.open(url, db).block(TIMEOUT);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            Persistence.close(store).block(TIMEOUT);
        }
        db.dispose();
    }

    // ---- sessions

    @Test
    void aSavedSessionLoadsBackField_for_field() {
        SessionRecord session = session("t-1", "owner-a", T0);
        store.saveSession(session).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.loadSessions().as(StepVerifier::create)
                .expectNext(session)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void savingASessionAgainReplacesIt() {
        SessionRecord first = session("t-1", "owner-a", T0);
        SessionRecord second = new SessionRecord(DISCORD, "t-1", "Renamed", "chan-2", "guild-2", "owner-b", "stopped",
                Optional.empty(), "/work/other", Optional.empty(), T0, T0.plusSeconds(60), T0.plusSeconds(61), 7, 1_000,
                2_000, new BigDecimal("0.75"), false);

        store.saveSession(first).then(store.saveSession(second))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.loadSessions().as(StepVerifier::create)
                .expectNext(second)
                .expectComplete()
                .verify(TIMEOUT);
    }

    /** /model and /mode: a CLI started again (idle stop, restart) starts with the session's model and mode. */
    @Test
    void aSessionsModelAndPermissionModesLoadBackAndAreReplaced() {
        SessionRecord planning = new SessionRecord(DISCORD, "t-1", "Plan", "chan", "guild", "owner", "idle",
                Optional.of("haiku"), "/work", Optional.of("conv-1"), T0, T0, T0, 1, 10, 20, new BigDecimal("0.5"),
                false, Optional.of("plan"), Optional.of("acceptEdits"));
        SessionRecord approved = new SessionRecord(DISCORD, "t-1", "Plan", "chan", "guild", "owner", "idle",
                Optional.of("opus"), "/work", Optional.of("conv-1"), T0, T0, T0, 1, 10, 20, new BigDecimal("0.5"),
                false, Optional.of("acceptEdits"), Optional.empty());

        store.saveSession(planning).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.loadSessions().as(StepVerifier::create).expectNext(planning).expectComplete().verify(TIMEOUT);
        store.saveSession(approved).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.loadSessions().as(StepVerifier::create).expectNext(approved).expectComplete().verify(TIMEOUT);
    }

    @Test
    void sessionsLoadInOrderOfCreation() {
        Flux.concat(store.saveSession(session("t-late", "o", T0.plusSeconds(10))),
                        store.saveSession(session("t-early", "o", T0)),
                        store.saveSession(session("t-mid", "o", T0.plusSeconds(5))))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.loadSessions().map(SessionRecord::threadId).as(StepVerifier::create)
                .expectNext("t-early", "t-mid", "t-late")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void anEmptyStoreHasNoSessionsTurnsInboxOrChildren() {
        Flux.concat(store.loadSessions(), store.turns(DISCORD, "none"), store.inbox(DISCORD, "none"),
                        store.children().all())
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
    }

    @Test
    void instantsKeepMicrosecondsAndDropNanoseconds() {
        Instant withNanos = Instant.parse("2026-03-01T10:15:30.123456789Z");
        store.saveSession(session("t-1", "o", withNanos)).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.loadSessions().map(SessionRecord::createdAt).as(StepVerifier::create)
                .expectNext(Instant.parse("2026-03-01T10:15:30.123456Z"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    // ---- turns

    @Test
    void turnsComeBackInOrderWithToolLinesAndExactCosts() {
        TurnRecord one = turn("t-1", "owner-a", "first prompt", new BigDecimal("0.012345678901"), T0);
        TurnRecord two = new TurnRecord(DISCORD, "t-1", "owner-a", "second prompt\nwith \"quotes\" and ünïcødé 🎉",
                "line one\n```java\nint x = 1;\n```\n", List.of("Bash: ls -la", "Read: /tmp/x \"quoted\"", "Grep: a|b"),
                "error", new BigDecimal("1.5"), 10, 20, Duration.ofMillis(1234), T0.plusSeconds(10),
                T0.plusSeconds(12));
        TurnRecord three = turn("t-1", "owner-a", "third", new BigDecimal("0"), T0.plusSeconds(20));
        TurnRecord elsewhere = turn("t-2", "owner-a", "other thread", new BigDecimal("9"), T0);

        Flux.concat(store.saveTurn(one), store.saveTurn(elsewhere), store.saveTurn(two), store.saveTurn(three))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.turns(DISCORD, "t-1").as(StepVerifier::create)
                .assertNext(t -> {
                    assertThat(t).usingRecursiveComparison().ignoringFields("costUsd").isEqualTo(one);
                    assertThat(t.costUsd()).isEqualByComparingTo("0.012345678901");
                })
                .assertNext(t -> {
                    assertThat(t.prompt()).isEqualTo("second prompt\nwith \"quotes\" and ünïcødé 🎉");
                    assertThat(t.replyText()).isEqualTo("line one\n```java\nint x = 1;\n```\n");
                    assertThat(t.toolLines()).containsExactly("Bash: ls -la", "Read: /tmp/x \"quoted\"", "Grep: a|b");
                    assertThat(t.outcome()).isEqualTo("error");
                    assertThat(t.costUsd()).isEqualByComparingTo("1.5");
                    assertThat(t.duration()).isEqualTo(Duration.ofMillis(1234));
                    assertThat(t.startedAt()).isEqualTo(T0.plusSeconds(10));
                    assertThat(t.endedAt()).isEqualTo(T0.plusSeconds(12));
                })
                .assertNext(t -> assertThat(t.prompt()).isEqualTo("third"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void aTurnWithoutToolLinesKeepsAnEmptyList() {
        TurnRecord turn = new TurnRecord(DISCORD, "t-1", "o", "p", "", List.of(), "interrupted", BigDecimal.ZERO, 0, 0,
                Duration.ZERO, T0, T0);
        store.saveTurn(turn).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.turns(DISCORD, "t-1").as(StepVerifier::create)
                .assertNext(t -> {
                    assertThat(t.toolLines()).isEmpty();
                    assertThat(t.replyText()).isEmpty();
                    assertThat(t.costUsd()).isEqualByComparingTo("0");
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void aLongReplyIsKeptWhole() {
        String reply = "x".repeat(200_000) + "end";
        TurnRecord turn = new TurnRecord(DISCORD, "t-1", "o", "p", reply, List.of(), "ok", BigDecimal.ONE, 1, 1,
                Duration.ofSeconds(1), T0, T0);
        store.saveTurn(turn).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.turns(DISCORD, "t-1").map(TurnRecord::replyText).as(StepVerifier::create)
                .expectNext(reply)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void costsAddUpExactlyWhereBinaryFloatingPointWouldNot() {
        // 0.1 + 0.2 in double is 0.30000000000000004; ten turns of 0.1 must total exactly 1.
        Flux.range(0, 10)
                .concatMap(i -> store.saveTurn(turn("t-1", "owner-a", "p" + i, new BigDecimal("0.1"),
                        T0.plusSeconds(i))))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.userTotals(DISCORD, "owner-a", Instant.EPOCH).as(StepVerifier::create)
                .assertNext(totals -> {
                    assertThat(totals.turns()).isEqualTo(10);
                    assertThat(totals.costUsd()).isEqualByComparingTo("1");
                    assertThat(totals.costUsd().toPlainString()).isEqualTo("1");
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    // ---- inbox

    @Test
    void theInboxIsReplacedInOrderAndClearedByAnEmptyList() {
        QueuedPrompt a = new QueuedPrompt(DISCORD, "t-1", 0, "first", "user-1", Optional.of("m-1"), T0);
        QueuedPrompt b = new QueuedPrompt(DISCORD, "t-1", 1, "second", "user-2", Optional.empty(), T0.plusSeconds(1));
        QueuedPrompt c = new QueuedPrompt(DISCORD, "t-1", 2, "third", "user-1", Optional.of("m-3"), T0.plusSeconds(2));
        QueuedPrompt other = new QueuedPrompt(DISCORD, "t-2", 0, "other thread", "user-9", Optional.of("m-9"), T0);

        store.saveInbox(DISCORD, "t-1", List.of(a, b, c)).then(store.saveInbox(DISCORD, "t-2", List.of(other)))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.inbox(DISCORD, "t-1").as(StepVerifier::create).expectNext(a, b, c).expectComplete().verify(TIMEOUT);

        QueuedPrompt bNow = new QueuedPrompt(DISCORD, "t-1", 0, "second", "user-2", Optional.empty(),
                T0.plusSeconds(1));
        QueuedPrompt cNow = new QueuedPrompt(DISCORD, "t-1", 1, "third", "user-1", Optional.of("m-3"),
                T0.plusSeconds(2));
        store.saveInbox(DISCORD, "t-1", List.of(bNow, cNow)).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.inbox(DISCORD, "t-1").as(StepVerifier::create).expectNext(bNow, cNow).expectComplete().verify(TIMEOUT);

        store.saveInbox(DISCORD, "t-1", List.of()).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.inbox(DISCORD, "t-1").as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.inbox(DISCORD, "t-2").as(StepVerifier::create).expectNext(other).expectComplete().verify(TIMEOUT);
    }

    // ---- running turns

    @Test
    void aRunningTurnIsReplacedPerThreadAndClearedWithoutTouchingOthers() {
        SessionStore.RunningTurn first = new SessionStore.RunningTurn(DISCORD, "t-1",
                "pod=claude-session-a;at=2026-03-01T10:15:30.123456789Z;n=3", "a prompt", "user-1",
                Optional.of("m-1"), List.of(), T0);
        SessionStore.RunningTurn other = new SessionStore.RunningTurn(MATTERMOST, "t-1", "pod=b", "elsewhere",
                "user-2", Optional.empty(), List.of("p-1"), T0.plusSeconds(1));
        store.saveRunningTurn(first).then(store.saveRunningTurn(other))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        SessionStore.RunningTurn replied = first.withReplyMessages(List.of("r-1", "r-2"));
        store.saveRunningTurn(replied).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.runningTurns().as(StepVerifier::create).expectNext(replied, other).expectComplete().verify(TIMEOUT);

        store.clearRunningTurn(DISCORD, "t-1").as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.runningTurns().as(StepVerifier::create).expectNext(other).expectComplete().verify(TIMEOUT);
    }

    @Test
    void aQueuedPromptKeepsItsImagesInOrderAndOneWithoutHasNone() {
        QueuedPrompt withImages = new QueuedPrompt(DISCORD, "t-1", 0, "look at these", "u", Optional.of("m-1"), T0,
                List.of("attachments/b.png", "attachments/a \"quoted\" é.jpg"));
        QueuedPrompt without = new QueuedPrompt(DISCORD, "t-1", 1, "plain", "u", Optional.empty(), T0);
        store.saveInbox(DISCORD, "t-1", List.of(withImages, without)).as(StepVerifier::create).expectComplete()
                .verify(TIMEOUT);

        store.inbox(DISCORD, "t-1").as(StepVerifier::create)
                .assertNext(q -> assertThat(q.images()).containsExactly("attachments/b.png",
                        "attachments/a \"quoted\" é.jpg"))
                .assertNext(q -> assertThat(q.images()).isEmpty())
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void theInboxKeepsTheListOrderWhateverThePositionsSay() {
        QueuedPrompt late = new QueuedPrompt(DISCORD, "t-1", 5, "late", "u", Optional.empty(), T0);
        QueuedPrompt early = new QueuedPrompt(DISCORD, "t-1", 1, "early", "u", Optional.empty(), T0);
        store.saveInbox(DISCORD, "t-1", List.of(late, early)).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.inbox(DISCORD, "t-1").as(StepVerifier::create).expectNext(late, early).expectComplete().verify(TIMEOUT);
    }

    @Test
    void aFailedInboxSaveLeavesTheOldInboxInPlace() {
        QueuedPrompt kept = new QueuedPrompt(DISCORD, "t-1", 0, "kept", "u", Optional.empty(), T0);
        store.saveInbox(DISCORD, "t-1", List.of(kept)).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        // The second prompt's author id is longer than its column allows: the database refuses that row after the
        // delete and the first insert have run, and all of it rolls back.
        QueuedPrompt good = new QueuedPrompt(DISCORD, "t-1", 0, "new", "u", Optional.empty(), T0);
        QueuedPrompt broken = new QueuedPrompt(DISCORD, "t-1", 1, "broken", "u".repeat(101), Optional.empty(), T0);
        store.saveInbox(DISCORD, "t-1", List.of(good, broken)).as(StepVerifier::create)
                .expectError()
                .verify(TIMEOUT);

        store.inbox(DISCORD, "t-1").as(StepVerifier::create).expectNext(kept).expectComplete().verify(TIMEOUT);
    }

    // ---- CLI children

    @Test
    void childrenAreSavedReplacedByPidListedAndRemoved() {
        Child one = new Child(DISCORD, "t-1", 4242, T0);
        Child two = new Child(DISCORD, "t-2", 31337, T0.plusSeconds(1));
        Child reused = new Child(DISCORD, "t-3", 4242, T0.plusSeconds(99));

        Flux.concat(store.children().started(one), store.children().started(two))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.children().all().as(StepVerifier::create).expectNext(one, two).expectComplete().verify(TIMEOUT);

        store.children().started(reused).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.children().all().as(StepVerifier::create).expectNext(reused, two).expectComplete().verify(TIMEOUT);

        store.children().ended(4242).then(store.children().ended(1))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.children().all().as(StepVerifier::create).expectNext(two).expectComplete().verify(TIMEOUT);
    }

    // ---- totals

    @Test
    void userTotalsCountTurnsEndedSinceTheStartOfTheDayOrAllTime() {
        Instant todayStart = LocalDate.of(2026, 3, 2).atStartOfDay(ZoneOffset.UTC).toInstant();
        Flux.concat(
                        // yesterday, one microsecond before midnight UTC
                        store.saveTurn(new TurnRecord(DISCORD, "t-1", "owner-a", "y", "", List.of(), "ok",
                                new BigDecimal("0.50"), 100, 10, Duration.ofSeconds(3), todayStart.minusSeconds(3),
                                todayStart.minus(1, ChronoUnit.MICROS))),
                        // exactly at midnight: counts for today
                        store.saveTurn(new TurnRecord(DISCORD, "t-1", "owner-a", "m", "", List.of(), "ok",
                                new BigDecimal("0.25"), 20, 2, Duration.ofSeconds(3), todayStart.minusSeconds(3),
                                todayStart)),
                        store.saveTurn(new TurnRecord(DISCORD, "t-2", "owner-a", "later", "", List.of(), "error",
                                new BigDecimal("0.000000000001"), 3, 4, Duration.ofSeconds(1),
                                todayStart.plusSeconds(3600), todayStart.plusSeconds(3601))),
                        // someone else's turn never counts
                        store.saveTurn(new TurnRecord(DISCORD, "t-3", "owner-b", "b", "", List.of(), "ok",
                                new BigDecimal("7"), 1000, 1000, Duration.ofSeconds(1), todayStart,
                                todayStart.plusSeconds(5))))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.userTotals(DISCORD, "owner-a", todayStart).as(StepVerifier::create)
                .assertNext(today -> {
                    assertThat(today.turns()).isEqualTo(2);
                    assertThat(today.tokensIn()).isEqualTo(23);
                    assertThat(today.tokensOut()).isEqualTo(6);
                    assertThat(today.costUsd()).isEqualByComparingTo("0.250000000001");
                })
                .expectComplete()
                .verify(TIMEOUT);
        store.userTotals(DISCORD, "owner-a", Instant.EPOCH).as(StepVerifier::create)
                .assertNext(allTime -> {
                    assertThat(allTime.turns()).isEqualTo(3);
                    assertThat(allTime.tokensIn()).isEqualTo(123);
                    assertThat(allTime.tokensOut()).isEqualTo(16);
                    assertThat(allTime.costUsd()).isEqualByComparingTo("0.750000000001");
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void aUserWithoutTurnsHasZeroTotals() {
        store.userTotals(DISCORD, "nobody", Instant.EPOCH).as(StepVerifier::create)
                .assertNext(totals -> {
                    assertThat(totals.turns()).isZero();
                    assertThat(totals.tokensIn()).isZero();
                    assertThat(totals.tokensOut()).isZero();
                    assertThat(totals.costUsd()).isEqualByComparingTo(UserTotals.ZERO.costUsd());
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    // ---- platforms: a thread id is unique only within its platform

    @Test
    void theSameThreadIdOnTwoPlatformsIsTwoSessionsThatShareNoTurnsInboxOrTotals() {
        SessionRecord onDiscord = session(DISCORD, "t-1", "owner-a", T0);
        SessionRecord onMattermost = session(MATTERMOST, "t-1", "owner-a", T0);
        QueuedPrompt discordPrompt = new QueuedPrompt(DISCORD, "t-1", 0, "discord q", "owner-a", Optional.empty(), T0);
        QueuedPrompt mattermostPrompt = new QueuedPrompt(MATTERMOST, "t-1", 0, "mm q", "owner-a", Optional.empty(),
                T0);
        Child discordChild = new Child(DISCORD, "t-1", 100, T0);
        Child mattermostChild = new Child(MATTERMOST, "t-1", 200, T0);
        Flux.concat(store.saveSession(onDiscord), store.saveSession(onMattermost),
                        store.saveTurn(turn(DISCORD, "t-1", "owner-a", "on discord", new BigDecimal("0.5"), T0)),
                        store.saveTurn(turn(MATTERMOST, "t-1", "owner-a", "on mattermost", new BigDecimal("2"), T0)),
                        store.saveTurn(turn(MATTERMOST, "t-1", "owner-a", "again", new BigDecimal("3"), T0)),
                        store.saveInbox(DISCORD, "t-1", List.of(discordPrompt)),
                        store.saveInbox(MATTERMOST, "t-1", List.of(mattermostPrompt)),
                        store.children().started(discordChild), store.children().started(mattermostChild))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        // two rows, ordered by creation, then platform
        store.loadSessions().as(StepVerifier::create)
                .expectNext(onDiscord, onMattermost)
                .expectComplete()
                .verify(TIMEOUT);
        store.turns(DISCORD, "t-1").map(TurnRecord::prompt).as(StepVerifier::create)
                .expectNext("on discord").expectComplete().verify(TIMEOUT);
        store.turns(MATTERMOST, "t-1").as(StepVerifier::create)
                .assertNext(t -> {
                    assertThat(t.platform()).isEqualTo(MATTERMOST);
                    assertThat(t.prompt()).isEqualTo("on mattermost");
                })
                .assertNext(t -> assertThat(t.prompt()).isEqualTo("again"))
                .expectComplete()
                .verify(TIMEOUT);
        store.inbox(DISCORD, "t-1").as(StepVerifier::create).expectNext(discordPrompt).expectComplete()
                .verify(TIMEOUT);
        store.inbox(MATTERMOST, "t-1").as(StepVerifier::create).expectNext(mattermostPrompt).expectComplete()
                .verify(TIMEOUT);
        store.children().all().as(StepVerifier::create).expectNext(discordChild, mattermostChild).expectComplete()
                .verify(TIMEOUT);
        // the same owner id on two platforms is two users
        store.userTotals(DISCORD, "owner-a", Instant.EPOCH).as(StepVerifier::create)
                .assertNext(totals -> {
                    assertThat(totals.turns()).isEqualTo(1);
                    assertThat(totals.costUsd()).isEqualByComparingTo("0.5");
                })
                .expectComplete()
                .verify(TIMEOUT);
        store.userTotals(MATTERMOST, "owner-a", Instant.EPOCH).as(StepVerifier::create)
                .assertNext(totals -> {
                    assertThat(totals.turns()).isEqualTo(2);
                    assertThat(totals.costUsd()).isEqualByComparingTo("5");
                })
                .expectComplete()
                .verify(TIMEOUT);

        // saving or clearing one platform's session leaves the other's alone
        SessionRecord discordStopped = new SessionRecord(DISCORD, "t-1", "Renamed", "chan-1", "guild-1", "owner-a",
                "stopped", Optional.empty(), "/work/t-1", Optional.empty(), T0, T0.plusSeconds(9), T0.plusSeconds(9),
                4, 1, 2, BigDecimal.ONE, false);
        store.saveSession(discordStopped).then(store.saveInbox(MATTERMOST, "t-1", List.of()))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.loadSessions().as(StepVerifier::create)
                .expectNext(discordStopped, onMattermost)
                .expectComplete()
                .verify(TIMEOUT);
        store.inbox(MATTERMOST, "t-1").as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.inbox(DISCORD, "t-1").as(StepVerifier::create).expectNext(discordPrompt).expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void aVersionOneDatabaseWithRowsMigratesToVersionTwoAsDiscord() throws Exception {
        String v1Url = anotherDatabaseUrl();
        DatabaseUrl v1 = DatabaseUrl.parse(v1Url);
        MigrateResult toV1 = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(v1.jdbcUrl(), v1.user(), v1.password())
                .locations(Migrations.LOCATION)
                .target("1")
                .load()
                .migrate();
        assertThat(toV1.targetSchemaVersion).isEqualTo("1");
        OffsetDateTime t0 = T0.atOffset(ZoneOffset.UTC);
        try (Connection c = DriverManager.getConnection(v1.jdbcUrl(), v1.user(), v1.password())) {
            jdbc(c, "INSERT INTO sessions (thread_id, title, channel_id, guild_id, owner_id, state, model, work_dir, "
                            + "cli_session_id, created_at, updated_at, last_activity, prompts_answered, tokens_in, "
                            + "tokens_out, cost_usd, turn_running) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    "t-old", "Old session", "chan-1", "guild-1", "owner-a", "IDLE", null, "/work/t-old", "cli-old",
                    t0, t0.plusSeconds(1), t0.plusSeconds(2), 2, 300L, 400L, new BigDecimal("0.75"), true);
            for (int i = 0; i < 2; i++) {
                jdbc(c, "INSERT INTO turns (thread_id, owner_id, prompt, reply_text, tool_lines, outcome, cost_usd, "
                                + "tokens_in, tokens_out, duration_ms, started_at, ended_at) "
                                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "t-old", "owner-a", "old prompt " + i, "old reply " + i, "[\"Bash: ls\"]", "ok",
                        new BigDecimal("0.375"), 150L, 200L, 1000L, t0.plusSeconds(i), t0.plusSeconds(i + 1));
            }
            jdbc(c, "INSERT INTO inbox (thread_id, seq, position, prompt_text, author_id, message_id, received_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)", "t-old", 0, 0, "old queued", "owner-a", "m-1", t0);
            jdbc(c, "INSERT INTO cli_children (pid, thread_id, started_at) VALUES (?, ?, ?)", 4242L, "t-old", t0);
        }

        SessionStore migrated = Persistence.open(v1Url, db).block(TIMEOUT);
        try {
            migrated.loadSessions().as(StepVerifier::create)
                    .assertNext(s -> {
                        assertThat(s.platform()).isEqualTo(DISCORD);
                        assertThat(s.threadId()).isEqualTo("t-old");
                        assertThat(s.title()).isEqualTo("Old session");
                        assertThat(s.model()).isEmpty();
                        assertThat(s.cliSessionId()).contains("cli-old");
                        assertThat(s.createdAt()).isEqualTo(T0);
                        assertThat(s.lastActivity()).isEqualTo(T0.plusSeconds(2));
                        assertThat(s.tokensOut()).isEqualTo(400);
                        assertThat(s.costUsd()).isEqualByComparingTo("0.75");
                        assertThat(s.turnRunning()).isTrue();
                    })
                    .expectComplete()
                    .verify(TIMEOUT);
            // a turn saved after the migration comes after the old ones (the identity went on counting)
            migrated.saveTurn(turn(DISCORD, "t-old", "owner-a", "new prompt", new BigDecimal("1"), T0.plusSeconds(5)))
                    .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
            migrated.turns(DISCORD, "t-old").as(StepVerifier::create)
                    .assertNext(t -> {
                        assertThat(t.platform()).isEqualTo(DISCORD);
                        assertThat(t.prompt()).isEqualTo("old prompt 0");
                        assertThat(t.toolLines()).containsExactly("Bash: ls");
                    })
                    .assertNext(t -> assertThat(t.prompt()).isEqualTo("old prompt 1"))
                    .assertNext(t -> assertThat(t.prompt()).isEqualTo("new prompt"))
                    .expectComplete()
                    .verify(TIMEOUT);
            migrated.inbox(DISCORD, "t-old").as(StepVerifier::create)
                    .expectNext(new QueuedPrompt(DISCORD, "t-old", 0, "old queued", "owner-a", Optional.of("m-1"), T0))
                    .expectComplete()
                    .verify(TIMEOUT);
            migrated.children().all().as(StepVerifier::create)
                    .expectNext(new Child(DISCORD, "t-old", 4242, T0))
                    .expectComplete()
                    .verify(TIMEOUT);
            migrated.userTotals(DISCORD, "owner-a", Instant.EPOCH).as(StepVerifier::create)
                    .assertNext(totals -> {
                        assertThat(totals.turns()).isEqualTo(3);
                        assertThat(totals.costUsd()).isEqualByComparingTo("1.75");
                    })
                    .expectComplete()
                    .verify(TIMEOUT);
            // nothing of it is another platform's, and the same thread id there is a new session
            Flux.concat(migrated.turns(MATTERMOST, "t-old"), migrated.inbox(MATTERMOST, "t-old"))
                    .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
            migrated.saveSession(session(MATTERMOST, "t-old", "owner-a", T0.plusSeconds(60)))
                    .then(migrated.saveInbox(MATTERMOST, "t-old", List.of()))
                    .thenMany(migrated.loadSessions().map(s -> s.platform() + "/" + s.threadId()))
                    .as(StepVerifier::create)
                    .expectNext("discord/t-old", "mattermost/t-old")
                    .expectComplete()
                    .verify(TIMEOUT);
        } finally {
            Persistence.close(migrated).block(TIMEOUT);
        }
        // the new columns have no default: a row that does not name its platform is refused
        try (Connection c = DriverManager.getConnection(v1.jdbcUrl(), v1.user(), v1.password())) {
            assertThatThrownBy(() -> jdbc(c, "INSERT INTO cli_children (pid, thread_id, started_at) VALUES (?, ?, ?)",
                    1L, "t-x", t0)).isInstanceOf(SQLException.class);
        }
    }

    /** One JDBC statement with its parameters (a {@code null} is bound as a {@code VARCHAR} null). */
    private static void jdbc(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                if (parameters[i] == null) {
                    st.setNull(i + 1, Types.VARCHAR);
                } else {
                    st.setObject(i + 1, parameters[i]);
                }
            }
            st.executeUpdate();
        }
    }

    // ---- readiness, migrations, lifecycle

    @Test
    void pingAnswersTrue() {
        store.ping().as(StepVerifier::create).expectNext(true).expectComplete().verify(TIMEOUT);
    }

    @Test
    void openingTheSameDatabaseAgainMigratesNothingAndKeepsTheData() {
        SessionRecord session = session("t-1", "owner-a", T0);
        store.saveSession(session).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        Persistence.close(store).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        Persistence.withStore(url, db, again -> again.loadSessions())
                .as(StepVerifier::create)
                .expectNext(session)
                .expectComplete()
                .verify(TIMEOUT);
        // and a third time, while this test's store is open again
        store = Persistence.open(url, db).block(TIMEOUT);
        Persistence.withStore(url, db, SessionStore::ping)
                .as(StepVerifier::create)
                .expectNext(true)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(Migrations.migrate(DatabaseUrl.parse(url))).as("scripts applied on a migrated database").isZero();
    }

    @Test
    void closingTwiceIsHarmless() {
        Persistence.close(store).then(Persistence.close(store))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store = null;
    }

    @Test
    void callsFromAParallelThreadDoNotBlockIt() {
        // BlockHound is on for every test: any blocking H2 call on the parallel thread would fail this.
        Mono.defer(() -> store.saveSession(session("t-1", "o", T0))
                        .then(store.saveTurn(turn("t-1", "o", "p", BigDecimal.ONE, T0)))
                        .then(store.saveInbox(DISCORD, "t-1",
                                List.of(new QueuedPrompt(DISCORD, "t-1", 0, "q", "u", Optional.empty(), T0))))
                        .then(store.children().started(new Child(DISCORD, "t-1", 99, T0)))
                        .thenMany(Flux.concat(store.loadSessions().then(), store.turns(DISCORD, "t-1").then(),
                                store.inbox(DISCORD, "t-1").then(), store.children().all().then(),
                                store.children().ended(99),
                                store.userTotals(DISCORD, "o", Instant.EPOCH).then(), store.ping().then()))
                        .then())
                .subscribeOn(Schedulers.parallel())
                .as(StepVerifier::create)
                .expectComplete()
                .verify(TIMEOUT);
    }

    static SessionRecord session(String threadId, String owner, Instant created) {
        return session(DISCORD, threadId, owner, created);
    }

    static SessionRecord session(String platform, String threadId, String owner, Instant created) {
        return new SessionRecord(platform, threadId, "Title of " + threadId, "chan-1", "guild-1", owner, "idle",
                Optional.of("claude-sonnet-4-5"), "/work/" + threadId, Optional.of("cli-" + threadId), created,
                created.plusSeconds(1), created.plusSeconds(2), 3, 12_345_678_901L, 42, new BigDecimal("0.123456"),
                true);
    }

    static TurnRecord turn(String threadId, String owner, String prompt, BigDecimal cost, Instant started) {
        return turn(DISCORD, threadId, owner, prompt, cost, started);
    }

    static TurnRecord turn(String platform, String threadId, String owner, String prompt, BigDecimal cost,
            Instant started) {
        return new TurnRecord(platform, threadId, owner, prompt, "reply to " + prompt,
                List.of("Bash: echo " + prompt), "ok", cost, 100, 200, Duration.ofMillis(2500), started,
                started.plusMillis(2500));
    }
}
