package dev.reliant.saga;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.reliant.saga.core.LeaseKeeper;
import dev.reliant.saga.jdbc.JdbcSagaLog;
import dev.reliant.saga.jdbc.SagaRef;
import dev.reliant.saga.jdbc.StepResult;
import dev.reliant.saga.recovery.SagaRecoveryWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * An owner that stalls past its lease, is taken over, and wakes up: none of its writes may land, and an effect its
 * action made after the takeover is compensated all the same.
 */
class FencingTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();


    /** Each test recovers only its own orphans. */
    @AfterEach
    void forgetSagas() {
        database.jdbc().update("DELETE FROM reliant_saga");
    }

    @Test
    void stalledOwnerIsFencedOutAfterTakeover() {
        SagaTestContexts.runner(database.schema())
            .withPropertyValues("reliant.saga.owner-id=stalled", "reliant.saga.lease.duration=1s",
                    "reliant.saga.lease.renew-interval=300ms")
            .run(owner -> SagaTestContexts.runner(database.schema())
                .withPropertyValues("reliant.saga.owner-id=rescuer")
                .run(rescuer -> {
                    SagaManager sagas = owner.getBean(SagaManager.class);
                    Ledger ledger = owner.getBean(Ledger.class);
                    CountDownLatch inStep2 = new CountDownLatch(1);
                    CountDownLatch wake = new CountDownLatch(1);
                    AtomicReference<String> id = new AtomicReference<>();
                    List<String> fencedAt = new CopyOnWriteArrayList<>();
                    CompletableFuture<Void> stalled = CompletableFuture.runAsync(() -> sagas.run("stall", saga -> {
                        id.set(saga.id());
                        SagaCompensationTest.durable(saga, ledger, "s1");
                        saga.step("s2", () -> {
                            inStep2.countDown();
                            awaitLatch(wake);
                            return ledger.reserve(saga.id(), "s2");
                        }, DurableCompensation.of("release", "s2"));
                        try {
                            SagaCompensationTest.durable(saga, ledger, "s3");
                        }
                        catch (SagaFencedException ex) {
                            fencedAt.add("s3 intent with s2's result");
                        }
                        throw new IllegalStateException("owner gives up");
                    }));
                    awaitLatch(inStep2);
                    // the whole process stalls: its lease renewals stop too
                    owner.getBean(LeaseKeeper.class).destroy();
                    SagaRecoveryWorker worker = rescuer.getBean(SagaRecoveryWorker.class);
                    await().atMost(60, TimeUnit.SECONDS).until(() -> worker.recoverOrphans() == 1);
                    assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");
                    // s2's action was still running, its outcome unknown: compensated by the new owner
                    assertThat(ledger.released(id.get())).containsExactly("s2", "s1");

                    wake.countDown();
                    // s2's action returned after the takeover had compensated it: the owner finds out at once,
                    // takes the saga back and compensates s2 again with its result
                    assertThatThrownBy(stalled::join).hasCauseInstanceOf(SagaFencedException.class);
                    assertThat(fencedAt).isEmpty();
                    assertThat(ledger.reserved(id.get())).isEmpty();
                    assertThat(ledger.deliveries(id.get(), "s1")).isEqualTo(1);
                    assertThat(ledger.deliveries(id.get(), "s2")).isEqualTo(2);
                    assertThat(ledger.resultsGiven(id.get())).containsEntry("s2", "s2");
                    assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");
                    assertThat(database.jdbc().queryForObject("SELECT generation FROM reliant_saga WHERE id = ?::uuid",
                            Long.class, id.get())).isEqualTo(3);

                    JdbcSagaLog log = owner.getBean(JdbcSagaLog.class);
                    SagaRef stale = new SagaRef(java.util.UUID.fromString(id.get()), "stall", 1);
                    List<StepResult> lateResult = List.of(new StepResult(2, "\"s2\""));
                    assertThatThrownBy(() -> log.complete(stale, lateResult)).isInstanceOf(SagaFencedException.class);
                    assertThatThrownBy(() -> log.markCompensating(stale, lateResult, null))
                        .isInstanceOf(SagaFencedException.class);
                    assertThatThrownBy(() -> log.recordIntent(stale, lateResult, 3, "s3", "release", "[\"s3\"]"))
                        .isInstanceOf(SagaFencedException.class);
                    assertThat(database.jdbc().queryForList("SELECT name FROM reliant_saga_step WHERE saga_id = ?::uuid",
                            String.class, id.get())).containsExactlyInAnyOrder("s1", "s2");
                    assertThat(database.jdbc().queryForList("SELECT result::text FROM reliant_saga_step WHERE saga_id = ?::uuid"
                            + " AND name = 's2'", String.class, id.get())).containsExactly("\"s2\"");
                }));
    }

    @Test
    void liveOwnerKeepsItsSagaByRenewingTheLease() {
        SagaTestContexts.runner(database.schema())
            .withPropertyValues("reliant.saga.owner-id=alive", "reliant.saga.lease.duration=1s",
                    "reliant.saga.lease.renew-interval=200ms")
            .run(owner -> SagaTestContexts.runner(database.schema()).run(rescuer -> {
                SagaManager sagas = owner.getBean(SagaManager.class);
                Ledger ledger = owner.getBean(Ledger.class);
                CountDownLatch inStep2 = new CountDownLatch(1);
                CountDownLatch proceed = new CountDownLatch(1);
                AtomicReference<String> id = new AtomicReference<>();
                CompletableFuture<Void> running = CompletableFuture.runAsync(() -> sagas.run("slow", saga -> {
                    id.set(saga.id());
                    SagaCompensationTest.durable(saga, ledger, "s1");
                    saga.step("s2", () -> {
                        inStep2.countDown();
                        awaitLatch(proceed);
                        return ledger.reserve(saga.id(), "s2");
                    }, DurableCompensation.of("release", "s2"));
                }));
                awaitLatch(inStep2);
                java.sql.Timestamp first = database.jdbc().queryForObject(
                        "SELECT lease_until FROM reliant_saga WHERE id = ?::uuid", java.sql.Timestamp.class, id.get());
                // renewed well past its first expiry while the step is still running
                await().atMost(60, TimeUnit.SECONDS)
                    .until(() -> database.jdbc().queryForObject("SELECT lease_until > ?::timestamptz + interval '2 seconds'"
                            + " FROM reliant_saga WHERE id = ?::uuid", Boolean.class, first, id.get()));
                assertThat(rescuer.getBean(SagaRecoveryWorker.class).recoverOrphans()).isZero();
                proceed.countDown();
                running.join();
                assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPLETED");
            }));
    }

    @Test
    void leaseRenewalGoesOnAfterAnError() {
        FaultyDataSource dataSource = new FaultyDataSource(database.dataSource());
        SagaTestContexts.runner(database.schema())
            .withBean(javax.sql.DataSource.class, () -> dataSource)
            .withPropertyValues("reliant.saga.owner-id=erring", "reliant.saga.lease.duration=1s",
                    "reliant.saga.lease.renew-interval=200ms")
            .run(owner -> SagaTestContexts.runner(database.schema()).run(rescuer -> {
                SagaManager sagas = owner.getBean(SagaManager.class);
                Ledger ledger = owner.getBean(Ledger.class);
                CountDownLatch inStep2 = new CountDownLatch(1);
                CountDownLatch proceed = new CountDownLatch(1);
                AtomicReference<String> id = new AtomicReference<>();
                CompletableFuture<Void> running = CompletableFuture.runAsync(() -> sagas.run("erring", saga -> {
                    id.set(saga.id());
                    SagaCompensationTest.durable(saga, ledger, "s1");
                    saga.step("s2", () -> {
                        inStep2.countDown();
                        awaitLatch(proceed);
                        return ledger.reserve(saga.id(), "s2");
                    }, DurableCompensation.of("release", "s2"));
                }));
                awaitLatch(inStep2);
                dataSource.failNextConnection(thread -> thread.getName().equals("reliant-saga-lease"),
                        () -> new Error("Injected error in a lease renewal"));
                await().atMost(10, TimeUnit.SECONDS).until(dataSource::connectionFaultFired);
                java.sql.Timestamp afterError = database.jdbc().queryForObject(
                        "SELECT lease_until FROM reliant_saga WHERE id = ?::uuid", java.sql.Timestamp.class, id.get());
                await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> database.jdbc().queryForObject("SELECT lease_until > ?::timestamptz + interval '1 second'"
                            + " FROM reliant_saga WHERE id = ?::uuid", Boolean.class, afterError, id.get()));
                assertThat(rescuer.getBean(SagaRecoveryWorker.class).recoverOrphans()).isZero();
                proceed.countDown();
                running.join();
                assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPLETED");
            }));
    }

    @Test
    void ownerTakenOverBeforeItsCompensationDoesNotRunItsInMemoryCompensations() {
        SagaTestContexts.runner(database.schema())
            .withPropertyValues("reliant.saga.owner-id=late", "reliant.saga.lease.duration=1s",
                    "reliant.saga.lease.renew-interval=300ms")
            .run(owner -> SagaTestContexts.runner(database.schema()).run(rescuer -> {
                SagaManager sagas = owner.getBean(SagaManager.class);
                Ledger ledger = owner.getBean(Ledger.class);
                List<String> undoneInMemory = new CopyOnWriteArrayList<>();
                CountDownLatch stalled = new CountDownLatch(1);
                CountDownLatch wake = new CountDownLatch(1);
                AtomicReference<String> id = new AtomicReference<>();
                CompletableFuture<Void> running = CompletableFuture.runAsync(() -> sagas.run("late", saga -> {
                    id.set(saga.id());
                    SagaCompensationTest.durable(saga, ledger, "s1");
                    saga.step("m2", () -> "m2", undoneInMemory::add);
                    SagaCompensationTest.durable(saga, ledger, "s3");
                    stalled.countDown();
                    awaitLatch(wake);
                    throw new IllegalStateException("owner gives up late");
                }));
                awaitLatch(stalled);
                owner.getBean(LeaseKeeper.class).destroy();
                SagaRecoveryWorker worker = rescuer.getBean(SagaRecoveryWorker.class);
                await().atMost(60, TimeUnit.SECONDS).until(() -> worker.recoverOrphans() == 1);
                assertThat(ledger.released(id.get())).containsExactly("s3", "s1");

                wake.countDown();
                assertThatThrownBy(running::join).hasRootCauseMessage("owner gives up late");
                // m2 had to be undone between s3 and s1, which the new owner already compensated
                assertThat(undoneInMemory).isEmpty();
                assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");
            }));
    }

    @Test
    void ownerTakenOverDuringItsCompensationDoesNotRunTheRestOfItsInMemoryCompensations() {
        SagaTestContexts.runner(database.schema())
            .withPropertyValues("reliant.saga.owner-id=slow", "reliant.saga.lease.duration=1s",
                    "reliant.saga.lease.renew-interval=300ms", "reliant.saga.compensation.initial-backoff=5s",
                    "reliant.saga.compensation.max-backoff=5s")
            .run(owner -> SagaTestContexts.runner(database.schema()).run(rescuer -> {
                SagaManager sagas = owner.getBean(SagaManager.class);
                Ledger ledger = owner.getBean(Ledger.class);
                ledger.failNext("s3", 1);
                List<String> undoneInMemory = new CopyOnWriteArrayList<>();
                AtomicReference<String> id = new AtomicReference<>();
                CompletableFuture<Void> running = CompletableFuture.runAsync(() -> sagas.run("slow", saga -> {
                    id.set(saga.id());
                    SagaCompensationTest.durable(saga, ledger, "s1");
                    saga.step("m2", () -> "m2", undoneInMemory::add);
                    SagaCompensationTest.durable(saga, ledger, "s3");
                    throw new IllegalStateException("fails, then stalls in a backoff");
                }));
                await().atMost(30, TimeUnit.SECONDS).until(() -> id.get() != null
                        && database.jdbc().queryForList("SELECT state FROM reliant_saga WHERE id = ?::uuid",
                                String.class, id.get()).contains("COMPENSATING"));
                // s3's first attempt failed; while the owner waits to retry it, it stops renewing its lease
                owner.getBean(LeaseKeeper.class).destroy();
                SagaRecoveryWorker worker = rescuer.getBean(SagaRecoveryWorker.class);
                await().atMost(60, TimeUnit.SECONDS).until(() -> worker.recoverOrphans() == 1);
                assertThat(ledger.released(id.get())).containsExactly("s3", "s1");

                assertThatThrownBy(running::join).hasRootCauseMessage("fails, then stalls in a backoff");
                assertThat(undoneInMemory).isEmpty();
                assertThat(ledger.deliveries(id.get(), "s3")).isEqualTo(1);
                assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");
            }));
    }

    @Test
    void takeoverRacingAnOwnersWriteFencesTheWrite() throws Exception {
        SagaTestContexts.runner(database.schema()).withPropertyValues("reliant.saga.owner-id=racer").run(owner -> {
            JdbcSagaLog log = owner.getBean(JdbcSagaLog.class);
            SagaRef intent = log.begin(java.util.UUID.randomUUID(), "race", "racer", SagaOptions.SEQUENTIAL,
                    java.time.Duration.ofMinutes(1), 1, "s1", "release", "[\"s1\"]");
            assertThatThrownBy(() -> racingTakeover(intent,
                    () -> log.recordIntent(intent, List.of(new StepResult(1, "\"s1\"")), 2, "s2", "release",
                            "[\"s2\"]")))
                .isInstanceOf(SagaFencedException.class);
            assertThat(database.jdbc().queryForList("SELECT name || ':' || state || ':' || coalesce(result::text, '-')"
                    + " FROM reliant_saga_step WHERE saga_id = ?", String.class, intent.id()))
                .containsExactly("s1:STARTED:-");

            SagaRef failing = log.begin(java.util.UUID.randomUUID(), "race", "racer", SagaOptions.SEQUENTIAL,
                    java.time.Duration.ofMinutes(1), 1, "s1", "release", "[\"s1\"]");
            assertThatThrownBy(() -> racingTakeover(failing,
                    () -> log.markCompensating(failing, List.of(), new IllegalStateException("failed"))))
                .isInstanceOf(SagaFencedException.class);
            assertThat(database.jdbc().queryForObject("SELECT failure FROM reliant_saga WHERE id = ?", String.class,
                    failing.id())).isNull();
        });
    }

    /**
     * Runs {@code write} while a takeover of {@code saga} holds the row, as a recovery worker's claim does, and
     * commits the takeover once the write waits for it.
     */
    private static void racingTakeover(SagaRef saga, Runnable write) throws Exception {
        try (java.sql.Connection takeover = database.dataSource().getConnection()) {
            takeover.setAutoCommit(false);
            try (var claim = takeover.prepareStatement("UPDATE reliant_saga s SET state = 'COMPENSATING',"
                    + " owner_id = 'rescuer', generation = s.generation + 1 WHERE s.id IN (SELECT id FROM reliant_saga"
                    + " WHERE id = ? FOR UPDATE SKIP LOCKED)")) {
                claim.setObject(1, saga.id());
                assertThat(claim.executeUpdate()).isEqualTo(1);
            }
            int takeoverPid;
            try (var pid = takeover.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                assertThat(pid.next()).isTrue();
                takeoverPid = pid.getInt(1);
            }
            CompletableFuture<Void> writing = CompletableFuture.runAsync(write);
            // the write waits for this takeover, not for anything else on a shared server
            await().atMost(30, TimeUnit.SECONDS).until(() -> database.jdbc().queryForObject("SELECT count(*)"
                    + " FROM pg_stat_activity WHERE ? = ANY (pg_blocking_pids(pid))", Long.class, takeoverPid) > 0);
            takeover.commit();
            try {
                writing.get(30, TimeUnit.SECONDS);
            }
            catch (java.util.concurrent.ExecutionException ex) {
                throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : ex;
            }
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

}
