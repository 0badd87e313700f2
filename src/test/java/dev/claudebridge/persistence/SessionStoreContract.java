package dev.claudebridge.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.port.SessionStore;
import dev.claudebridge.core.port.SessionStore.ChildProcess;
import dev.claudebridge.core.port.SessionStore.QueuedPrompt;
import dev.claudebridge.core.port.SessionStore.SessionRecord;
import dev.claudebridge.core.port.SessionStore.TurnRecord;
import dev.claudebridge.core.port.SessionStore.UserTotals;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
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

    Scheduler db;
    String url;
    SessionStore store;

    /** A fresh, empty database for one test. */
    abstract String newDatabaseUrl() throws Exception;

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
        SessionRecord second = new SessionRecord("t-1", "Renamed", "chan-2", "guild-2", "owner-b", "stopped",
                Optional.empty(), "/work/other", Optional.empty(), T0, T0.plusSeconds(60), T0.plusSeconds(61), 7, 1_000,
                2_000, new BigDecimal("0.75"), false);

        store.saveSession(first).then(store.saveSession(second))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.loadSessions().as(StepVerifier::create)
                .expectNext(second)
                .expectComplete()
                .verify(TIMEOUT);
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
        Flux.concat(store.loadSessions(), store.turns("none"), store.inbox("none"), store.children())
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
        TurnRecord two = new TurnRecord("t-1", "owner-a", "second prompt\nwith \"quotes\" and ünïcødé 🎉",
                "line one\n```java\nint x = 1;\n```\n", List.of("Bash: ls -la", "Read: /tmp/x \"quoted\"", "Grep: a|b"),
                "error", new BigDecimal("1.5"), 10, 20, Duration.ofMillis(1234), T0.plusSeconds(10),
                T0.plusSeconds(12));
        TurnRecord three = turn("t-1", "owner-a", "third", new BigDecimal("0"), T0.plusSeconds(20));
        TurnRecord elsewhere = turn("t-2", "owner-a", "other thread", new BigDecimal("9"), T0);

        Flux.concat(store.saveTurn(one), store.saveTurn(elsewhere), store.saveTurn(two), store.saveTurn(three))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.turns("t-1").as(StepVerifier::create)
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
        TurnRecord turn = new TurnRecord("t-1", "o", "p", "", List.of(), "interrupted", BigDecimal.ZERO, 0, 0,
                Duration.ZERO, T0, T0);
        store.saveTurn(turn).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.turns("t-1").as(StepVerifier::create)
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
        TurnRecord turn = new TurnRecord("t-1", "o", "p", reply, List.of(), "ok", BigDecimal.ONE, 1, 1,
                Duration.ofSeconds(1), T0, T0);
        store.saveTurn(turn).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.turns("t-1").map(TurnRecord::replyText).as(StepVerifier::create)
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

        store.userTotals("owner-a", Instant.EPOCH).as(StepVerifier::create)
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
        QueuedPrompt a = new QueuedPrompt("t-1", 0, "first", "user-1", Optional.of("m-1"), T0);
        QueuedPrompt b = new QueuedPrompt("t-1", 1, "second", "user-2", Optional.empty(), T0.plusSeconds(1));
        QueuedPrompt c = new QueuedPrompt("t-1", 2, "third", "user-1", Optional.of("m-3"), T0.plusSeconds(2));
        QueuedPrompt other = new QueuedPrompt("t-2", 0, "other thread", "user-9", Optional.of("m-9"), T0);

        store.saveInbox("t-1", List.of(a, b, c)).then(store.saveInbox("t-2", List.of(other)))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.inbox("t-1").as(StepVerifier::create).expectNext(a, b, c).expectComplete().verify(TIMEOUT);

        QueuedPrompt bNow = new QueuedPrompt("t-1", 0, "second", "user-2", Optional.empty(), T0.plusSeconds(1));
        QueuedPrompt cNow = new QueuedPrompt("t-1", 1, "third", "user-1", Optional.of("m-3"), T0.plusSeconds(2));
        store.saveInbox("t-1", List.of(bNow, cNow)).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.inbox("t-1").as(StepVerifier::create).expectNext(bNow, cNow).expectComplete().verify(TIMEOUT);

        store.saveInbox("t-1", List.of()).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.inbox("t-1").as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.inbox("t-2").as(StepVerifier::create).expectNext(other).expectComplete().verify(TIMEOUT);
    }

    @Test
    void theInboxKeepsTheListOrderWhateverThePositionsSay() {
        QueuedPrompt late = new QueuedPrompt("t-1", 5, "late", "u", Optional.empty(), T0);
        QueuedPrompt early = new QueuedPrompt("t-1", 1, "early", "u", Optional.empty(), T0);
        store.saveInbox("t-1", List.of(late, early)).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.inbox("t-1").as(StepVerifier::create).expectNext(late, early).expectComplete().verify(TIMEOUT);
    }

    @Test
    void aFailedInboxSaveLeavesTheOldInboxInPlace() {
        QueuedPrompt kept = new QueuedPrompt("t-1", 0, "kept", "u", Optional.empty(), T0);
        store.saveInbox("t-1", List.of(kept)).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        // The second prompt's author id is longer than its column allows: the database refuses that row after the
        // delete and the first insert have run, and all of it rolls back.
        QueuedPrompt good = new QueuedPrompt("t-1", 0, "new", "u", Optional.empty(), T0);
        QueuedPrompt broken = new QueuedPrompt("t-1", 1, "broken", "u".repeat(101), Optional.empty(), T0);
        store.saveInbox("t-1", List.of(good, broken)).as(StepVerifier::create)
                .expectError()
                .verify(TIMEOUT);

        store.inbox("t-1").as(StepVerifier::create).expectNext(kept).expectComplete().verify(TIMEOUT);
    }

    // ---- CLI children

    @Test
    void childrenAreSavedReplacedByPidListedAndRemoved() {
        ChildProcess one = new ChildProcess("t-1", 4242, T0);
        ChildProcess two = new ChildProcess("t-2", 31337, T0.plusSeconds(1));
        ChildProcess reused = new ChildProcess("t-3", 4242, T0.plusSeconds(99));

        Flux.concat(store.saveChild(one), store.saveChild(two))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.children().as(StepVerifier::create).expectNext(one, two).expectComplete().verify(TIMEOUT);

        store.saveChild(reused).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.children().as(StepVerifier::create).expectNext(reused, two).expectComplete().verify(TIMEOUT);

        store.removeChild(4242).then(store.removeChild(1)).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        store.children().as(StepVerifier::create).expectNext(two).expectComplete().verify(TIMEOUT);
    }

    // ---- totals

    @Test
    void userTotalsCountTurnsEndedSinceTheStartOfTheDayOrAllTime() {
        Instant todayStart = LocalDate.of(2026, 3, 2).atStartOfDay(ZoneOffset.UTC).toInstant();
        Flux.concat(
                        // yesterday, one microsecond before midnight UTC
                        store.saveTurn(new TurnRecord("t-1", "owner-a", "y", "", List.of(), "ok",
                                new BigDecimal("0.50"), 100, 10, Duration.ofSeconds(3), todayStart.minusSeconds(3),
                                todayStart.minus(1, ChronoUnit.MICROS))),
                        // exactly at midnight: counts for today
                        store.saveTurn(new TurnRecord("t-1", "owner-a", "m", "", List.of(), "ok",
                                new BigDecimal("0.25"), 20, 2, Duration.ofSeconds(3), todayStart.minusSeconds(3),
                                todayStart)),
                        store.saveTurn(new TurnRecord("t-2", "owner-a", "later", "", List.of(), "error",
                                new BigDecimal("0.000000000001"), 3, 4, Duration.ofSeconds(1),
                                todayStart.plusSeconds(3600), todayStart.plusSeconds(3601))),
                        // someone else's turn never counts
                        store.saveTurn(new TurnRecord("t-3", "owner-b", "b", "", List.of(), "ok",
                                new BigDecimal("7"), 1000, 1000, Duration.ofSeconds(1), todayStart,
                                todayStart.plusSeconds(5))))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        store.userTotals("owner-a", todayStart).as(StepVerifier::create)
                .assertNext(today -> {
                    assertThat(today.turns()).isEqualTo(2);
                    assertThat(today.tokensIn()).isEqualTo(23);
                    assertThat(today.tokensOut()).isEqualTo(6);
                    assertThat(today.costUsd()).isEqualByComparingTo("0.250000000001");
                })
                .expectComplete()
                .verify(TIMEOUT);
        store.userTotals("owner-a", Instant.EPOCH).as(StepVerifier::create)
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
        store.userTotals("nobody", Instant.EPOCH).as(StepVerifier::create)
                .assertNext(totals -> {
                    assertThat(totals.turns()).isZero();
                    assertThat(totals.tokensIn()).isZero();
                    assertThat(totals.tokensOut()).isZero();
                    assertThat(totals.costUsd()).isEqualByComparingTo(UserTotals.ZERO.costUsd());
                })
                .expectComplete()
                .verify(TIMEOUT);
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
                        .then(store.saveInbox("t-1", List.of(new QueuedPrompt("t-1", 0, "q", "u", Optional.empty(), T0))))
                        .then(store.saveChild(new ChildProcess("t-1", 99, T0)))
                        .thenMany(Flux.concat(store.loadSessions().then(), store.turns("t-1").then(),
                                store.inbox("t-1").then(), store.children().then(), store.removeChild(99),
                                store.userTotals("o", Instant.EPOCH).then(), store.ping().then()))
                        .then())
                .subscribeOn(Schedulers.parallel())
                .as(StepVerifier::create)
                .expectComplete()
                .verify(TIMEOUT);
    }

    static SessionRecord session(String threadId, String owner, Instant created) {
        return new SessionRecord(threadId, "Title of " + threadId, "chan-1", "guild-1", owner, "idle",
                Optional.of("claude-sonnet-4-5"), "/work/" + threadId, Optional.of("cli-" + threadId), created,
                created.plusSeconds(1), created.plusSeconds(2), 3, 12_345_678_901L, 42, new BigDecimal("0.123456"),
                true);
    }

    static TurnRecord turn(String threadId, String owner, String prompt, BigDecimal cost, Instant started) {
        return new TurnRecord(threadId, owner, prompt, "reply to " + prompt, List.of("Bash: echo " + prompt), "ok",
                cost, 100, 200, Duration.ofMillis(2500), started, started.plusMillis(2500));
    }
}
