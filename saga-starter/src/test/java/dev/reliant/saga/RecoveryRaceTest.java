package dev.reliant.saga;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.reliant.saga.recovery.SagaRecoveryWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** Two recovery workers, each with its own connection pool, racing over the same orphaned sagas. */
class RecoveryRaceTest {

    private static final int SAGAS = 500;

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();


    @Test
    void twoWorkersCompensateEveryOrphanedSagaExactlyOnce() throws Exception {
        ApplicationContextRunner runner = SagaTestContexts.runner(database.schema())
            .withPropertyValues("reliant.saga.recovery.batch-size=20");
        runner.withPropertyValues("reliant.saga.owner-id=worker-a").run(a -> {
            orphanSagas();
            runner.withPropertyValues("reliant.saga.owner-id=worker-b").run(b -> {
                SagaRecoveryWorker first = a.getBean(SagaRecoveryWorker.class);
                SagaRecoveryWorker second = b.getBean(SagaRecoveryWorker.class);
                CountDownLatch start = new CountDownLatch(1);
                ExecutorService threads = Executors.newFixedThreadPool(2);
                try {
                    Future<Integer> byFirst = threads.submit(race(start, first::recoverOrphans));
                    Future<Integer> bySecond = threads.submit(race(start, second::recoverOrphans));
                    start.countDown();
                    int claimed = byFirst.get(120, TimeUnit.SECONDS) + bySecond.get(120, TimeUnit.SECONDS);
                    assertThat(claimed).isEqualTo(SAGAS);
                }
                finally {
                    threads.shutdownNow();
                }
            });
        });
        assertThat(database.jdbc().queryForList("SELECT DISTINCT state FROM reliant_saga", String.class))
            .containsExactly("COMPENSATED");
        assertThat(database.jdbc().queryForList("SELECT DISTINCT generation FROM reliant_saga", Long.class)).containsExactly(2L);
        assertThat(database.jdbc().queryForObject("SELECT count(*) FROM releases", Long.class)).isEqualTo(2L * SAGAS);
        assertThat(database.jdbc().queryForList("SELECT DISTINCT deliveries FROM releases", Integer.class)).containsExactly(1);
        assertThat(database.jdbc().queryForObject("SELECT count(*) FROM reservations", Long.class)).isZero();
        List<String> owners = database.jdbc().queryForList("SELECT DISTINCT owner_id FROM reliant_saga", String.class);
        assertThat(owners).isSubsetOf("worker-a", "worker-b");
    }

    private static void orphanSagas() {
        database.jdbc().update("INSERT INTO reliant_saga (id, name, state, owner_id, generation, lease_until, parallel,"
                + " continue_on_error) SELECT gen_random_uuid(), 'orphan', 'RUNNING', 'dead-owner', 1,"
                + " now() - interval '1 minute', false, false FROM generate_series(1, ?)", SAGAS);
        database.jdbc().update("INSERT INTO reliant_saga_step (saga_id, seq, name, handler, args, state)"
                + " SELECT id, n, 'step-' || n, 'release', to_jsonb(ARRAY['item-' || n]), 'DONE'"
                + " FROM reliant_saga, generate_series(1, 2) AS n");
        database.jdbc().update("INSERT INTO reservations (saga_id, step) SELECT saga_id::text, name FROM reliant_saga_step");
    }

    private static Callable<Integer> race(CountDownLatch start, Callable<Integer> work) {
        return () -> {
            start.await();
            return work.call();
        };
    }

}
