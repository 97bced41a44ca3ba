package dev.reliant.saga;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import dev.reliant.saga.core.LeaseKeeper;
import dev.reliant.saga.recovery.SagaRecoveryWorker;
import dev.reliant.testsupport.Latches;
import dev.reliant.testsupport.LogCapture;
import dev.reliant.testsupport.TableLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stopping while a background statement is under way: the stop waits for it, so that it never outlives the data
 * source, and a failure it meets (its connection broken, as by a database shutting down) is the shutdown's doing:
 * logged at debug, not as a warning.
 */
class SagaShutdownTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();

    @Test
    void recoveryStopWaitsForThePassUnderWayAndReportsItsFailureAtDebug() {
        SagaTestContexts.runner(database.schema())
            .withPropertyValues("reliant.saga.recovery.interval=100ms")
            .run((context) -> {
                SagaRecoveryWorker worker = context.getBean(SagaRecoveryWorker.class);
                try (LogCapture log = LogCapture.of(SagaRecoveryWorker.class);
                        TableLock lock = TableLock.exclusive(database.dataSource(), "reliant_saga")) {
                    int pass = awaitWaiter(lock, "reliant_saga");

                    CompletableFuture<Void> stopped = CompletableFuture.runAsync(worker::stop);
                    await().during(Duration.ofMillis(500))
                        .atMost(Duration.ofSeconds(5))
                        .alias("the stop waits for the statement under way").until(() -> !stopped.isDone());
                    lock.terminate(pass);
                    stopped.get(30, TimeUnit.SECONDS);

                    assertThat(log.at(Level.WARN)).isEmpty();
                    assertThat(log.at(Level.DEBUG)).anyMatch((line) -> line.contains("ended by the shutdown"));
                }
            });
    }

    @Test
    void recoveryStopFinishesTheSagaUnderWayAndClaimsNoMore() {
        SagaTestContexts.runner(database.schema())
            .withPropertyValues("reliant.saga.recovery.interval=100ms", "reliant.saga.recovery.batch-size=1")
            .run((context) -> {
                SagaRecoveryWorker worker = context.getBean(SagaRecoveryWorker.class);
                CompletableFuture<Void> stopped;
                try (TableLock lock = TableLock.exclusive(database.dataSource(), "releases")) {
                    orphanSagas(2);
                    awaitWaiter(lock, "releases");
                    stopped = CompletableFuture.runAsync(worker::stop);
                    await().during(Duration.ofMillis(500))
                        .atMost(Duration.ofSeconds(5))
                        .alias("the stop waits for the saga under way")
                        .until(() -> !stopped.isDone());
                }
                stopped.get(30, TimeUnit.SECONDS);

                assertThat(database.jdbc().queryForList("SELECT state FROM reliant_saga WHERE name = 'orphan'"
                        + " ORDER BY state", String.class)).containsExactly("COMPENSATED", "RUNNING");
            });
    }

    @Test
    void leaseKeeperStopWaitsForTheRenewalUnderWayAndReportsItsFailureAtDebug() {
        SagaTestContexts.runner(database.schema())
            .withPropertyValues("reliant.saga.lease.duration=3s", "reliant.saga.lease.renew-interval=100ms")
            .run((context) -> {
                SagaManager sagas = context.getBean(SagaManager.class);
                Ledger ledger = context.getBean(Ledger.class);
                CountDownLatch inStep = new CountDownLatch(1);
                CountDownLatch finish = new CountDownLatch(1);
                CompletableFuture<Void> running = CompletableFuture.runAsync(() -> sagas.run("held", (saga) -> {
                    SagaCompensationTest.durable(saga, ledger, "s1");
                    inStep.countDown();
                    Latches.awaitOpen(finish);
                }));
                Latches.awaitOpen(inStep);
                LeaseKeeper leases = context.getBean(LeaseKeeper.class);
                try (LogCapture log = LogCapture.of(LeaseKeeper.class);
                        TableLock lock = TableLock.exclusive(database.dataSource(), "reliant_saga")) {
                    int renewal = awaitWaiter(lock, "reliant_saga");

                    CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
                        try {
                            leases.destroy();
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    await().during(Duration.ofMillis(500))
                        .atMost(Duration.ofSeconds(5))
                        .alias("the stop waits for the statement under way").until(() -> !stopped.isDone());
                    lock.terminate(renewal);
                    stopped.get(30, TimeUnit.SECONDS);

                    assertThat(log.at(Level.WARN)).isEmpty();
                    assertThat(log.at(Level.DEBUG)).anyMatch((line) -> line.contains("ended by the shutdown"));
                }
                finally {
                    finish.countDown();
                }
                running.get(30, TimeUnit.SECONDS);
            });
    }

    private static void orphanSagas(int count) {
        database.jdbc().update("DELETE FROM reliant_saga");
        database.jdbc().update("INSERT INTO reliant_saga (id, name, state, owner_id, generation, lease_until, parallel,"
                + " continue_on_error) SELECT gen_random_uuid(), 'orphan', 'RUNNING', 'dead-owner', 1,"
                + " now() - interval '1 minute', false, false FROM generate_series(1, ?)", count);
        database.jdbc().update("INSERT INTO reliant_saga_step (saga_id, seq, name, handler, args, state)"
                + " SELECT id, 1, 'step-1', 'release', to_jsonb(ARRAY['item-1']), 'DONE' FROM reliant_saga");
        database.jdbc().update("INSERT INTO reservations (saga_id, step) SELECT saga_id::text, name"
                + " FROM reliant_saga_step");
    }

    private static int awaitWaiter(TableLock lock, String fragment) {
        return await().atMost(Duration.ofSeconds(30))
            .until(() -> lock.waiter(fragment), Optional::isPresent)
            .orElseThrow();
    }
}
