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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** An owner that stalls past its lease, is taken over, and wakes up: none of its writes may land. */
class FencingTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();


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
                    assertThatThrownBy(stalled::join).hasRootCauseMessage("owner gives up");
                    // s2's result has no write of its own: it goes with s3's intent, and the fence refuses both
                    assertThat(fencedAt).containsExactly("s3 intent with s2's result");
                    assertThat(ledger.reserved(id.get())).containsExactly("s2");
                    assertThat(ledger.deliveries(id.get(), "s1")).isEqualTo(1);
                    assertThat(ledger.deliveries(id.get(), "s2")).isEqualTo(1);
                    assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");

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
                            + " AND name = 's2'", String.class, id.get())).containsOnlyNulls();
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
