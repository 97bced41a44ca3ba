package dev.reliant.saga;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.saga.recovery.SagaRecoveryWorker;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** Two recovery workers, each with its own connection pool, racing over the same orphaned sagas. */
class RecoveryRaceTest {

    private static final int SAGAS = 500;

    private static TestPostgres.Schema schema;

    private static HikariDataSource dataSource;

    private static JdbcTemplate jdbc;

    @BeforeAll
    static void createSchema() {
        schema = TestPostgres.newSchema();
        dataSource = schema.dataSource();
        jdbc = new JdbcTemplate(dataSource);
        Ledger.createTables(jdbc);
    }

    @AfterAll
    static void dropSchema() {
        schema.drop(dataSource);
        dataSource.close();
    }

    @Test
    void twoWorkersCompensateEveryOrphanedSagaExactlyOnce() throws Exception {
        ApplicationContextRunner runner = SagaTestContexts.runner(schema)
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
        assertThat(jdbc.queryForList("SELECT DISTINCT state FROM reliant_saga", String.class))
            .containsExactly("COMPENSATED");
        assertThat(jdbc.queryForList("SELECT DISTINCT generation FROM reliant_saga", Long.class)).containsExactly(2L);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM releases", Long.class)).isEqualTo(2L * SAGAS);
        assertThat(jdbc.queryForList("SELECT DISTINCT deliveries FROM releases", Integer.class)).containsExactly(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reservations", Long.class)).isZero();
        List<String> owners = jdbc.queryForList("SELECT DISTINCT owner_id FROM reliant_saga", String.class);
        assertThat(owners).isSubsetOf("worker-a", "worker-b");
    }

    private static void orphanSagas() {
        jdbc.update("INSERT INTO reliant_saga (id, name, state, owner_id, generation, lease_until, parallel,"
                + " continue_on_error) SELECT gen_random_uuid(), 'orphan', 'RUNNING', 'dead-owner', 1,"
                + " now() - interval '1 minute', false, false FROM generate_series(1, ?)", SAGAS);
        jdbc.update("INSERT INTO reliant_saga_step (saga_id, seq, name, handler, args, state)"
                + " SELECT id, n, 'step-' || n, 'release', to_jsonb(ARRAY['item-' || n]), 'DONE'"
                + " FROM reliant_saga, generate_series(1, 2) AS n");
        jdbc.update("INSERT INTO reservations (saga_id, step) SELECT saga_id::text, name FROM reliant_saga_step");
    }

    private static Callable<Integer> race(CountDownLatch start, Callable<Integer> work) {
        return () -> {
            start.await();
            return work.call();
        };
    }

}
