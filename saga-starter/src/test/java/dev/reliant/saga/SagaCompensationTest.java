package dev.reliant.saga;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SagaCompensationTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();

    private final ApplicationContextRunner runner = SagaTestContexts.runner(database.schema())
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new);


    @Test
    void durableStepsAreCompensatedInReverseOrderOnceEach() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            AtomicReference<String> id = new AtomicReference<>();
            assertThatThrownBy(() -> sagas.run("order", saga -> {
                id.set(saga.id());
                durable(saga, ledger, "s1");
                durable(saga, ledger, "s2");
                saga.step("s3", () -> {
                    throw new IllegalStateException("payment declined");
                }, DurableCompensation.of("release", "s3"));
            })).hasMessage("payment declined");
            // s3's intent was recorded, so its unknown outcome is compensated too, before s2 and s1
            assertThat(ledger.released(id.get())).containsExactly("s3", "s2", "s1");
            assertThat(List.of("s1", "s2", "s3")).allSatisfy(step -> assertThat(ledger.deliveries(id.get(), step))
                .isEqualTo(1));
            assertThat(ledger.reserved(id.get())).isEmpty();
            assertThat(state(id.get())).isEqualTo("COMPENSATED");
            assertThat(database.jdbc().queryForList("SELECT in_transaction FROM releases WHERE saga_id = ?", Boolean.class,
                    id.get())).containsOnly(true);
            assertThat(context.getBean(MeterRegistry.class).counter("reliant.saga.compensated", "saga", "order")
                .count()).isEqualTo(1);
        });
    }

    @Test
    void inMemoryStepsAreCompensatedInReverseOrderOnceEachAndOnlyIfTheyRan() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            List<String> undone = new CopyOnWriteArrayList<>();
            assertThatThrownBy(() -> sagas.run("memory", saga -> {
                saga.step("s1", () -> "r1", undone::add);
                saga.step("s2", () -> "r2", undone::add);
                saga.step("s3", () -> fail("boom"), undone::add);
            })).hasMessage("boom");
            assertThat(undone).containsExactly("r2", "r1");
        });
    }

    @Test
    void successfulSagaIsClosedWithoutCompensation() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            String id = sagas.call("order", saga -> {
                durable(saga, ledger, "s1");
                durable(saga, ledger, "s2");
                return saga.id();
            });
            assertThat(state(id)).isEqualTo("COMPLETED");
            assertThat(ledger.released(id)).isEmpty();
            assertThat(ledger.reserved(id)).containsExactly("s1", "s2");
            assertThat(database.jdbc().queryForList("SELECT result::text FROM reliant_saga_step WHERE saga_id = ?::uuid ORDER BY seq",
                    String.class, id)).containsExactly("\"s1\"", "\"s2\"");
        });
    }

    @Test
    void parallelCompensationRunsAllCompensationsAtOnce() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            CountDownLatch allStarted = new CountDownLatch(3);
            List<String> undone = new CopyOnWriteArrayList<>();
            assertThatThrownBy(() -> sagas.run("parallel", new SagaOptions(true, false), saga -> {
                for (String step : List.of("s1", "s2", "s3")) {
                    saga.step(step, () -> step, result -> {
                        allStarted.countDown();
                        awaitQuietly(allStarted);
                        undone.add(result);
                    });
                }
                throw new IllegalStateException("fail after three steps");
            })).hasMessage("fail after three steps");
            // each compensation waited for the other two to start: only possible when they run concurrently
            assertThat(undone).containsExactlyInAnyOrder("s1", "s2", "s3");
        });
    }

    @Test
    void parallelDurableCompensationsEachRunOnce() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            String id = failingSaga(sagas, ledger, new SagaOptions(true, false), "p1", "p2", "p3");
            assertThat(ledger.released(id)).containsExactlyInAnyOrder("p1", "p2", "p3");
            assertThat(List.of("p1", "p2", "p3")).allSatisfy(step -> assertThat(ledger.deliveries(id, step))
                .isEqualTo(1));
            assertThat(state(id)).isEqualTo("COMPENSATED");
        });
    }

    @Test
    void durableArgumentsAndResultAreBoundBackFromJson() {
        runner.withBean(Refunds.class).run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Refunds refunds = context.getBean(Refunds.class);
            AtomicReference<String> id = new AtomicReference<>();
            assertThatThrownBy(() -> sagas.run("payment", saga -> {
                id.set(saga.id());
                saga.step("charge", () -> new Receipt("r-7", 1250),
                        DurableCompensation.of("refund", new Payment("p-1", 1250), List.of("vip", "retry")));
                throw new IllegalStateException("shipping failed");
            })).hasMessage("shipping failed");
            assertThat(refunds.calls).containsExactly(
                    "p-1 1250 [vip, retry] " + id.get() + ":charge Optional[Receipt[id=r-7, cents=1250]]");
        });
    }

    @Test
    void resultStillInMemoryWhenTheBodyThrowsIsWrittenWithTheStartOfCompensation() {
        runner.withBean(Refunds.class).run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Refunds refunds = context.getBean(Refunds.class);
            AtomicReference<String> id = new AtomicReference<>();
            assertThatThrownBy(() -> sagas.run("payment", saga -> {
                id.set(saga.id());
                saga.step("hold", () -> new Receipt("h-1", 300),
                        DurableCompensation.of("refund", new Payment("p-1", 300), List.of()));
                saga.step("charge", () -> new Receipt("r-2", 1250),
                        DurableCompensation.of("refund", new Payment("p-2", 1250), List.of()));
                throw new IllegalStateException("shipping failed");
            })).hasMessage("shipping failed");
            // charge's result had not been written when the body threw: no later step carried it
            assertThat(refunds.calls).containsExactly(
                    "p-2 1250 [] " + id.get() + ":charge Optional[Receipt[id=r-2, cents=1250]]",
                    "p-1 300 [] " + id.get() + ":hold Optional[Receipt[id=h-1, cents=300]]");
            assertThat(recordedResults(id.get())).containsExactly("hold h-1", "charge r-2");
        });
    }

    @Test
    void resultStillInMemoryWhenAnInMemoryStepFailsIsWrittenWithTheStartOfCompensation() {
        runner.withBean(Refunds.class).run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Refunds refunds = context.getBean(Refunds.class);
            AtomicReference<String> id = new AtomicReference<>();
            assertThatThrownBy(() -> sagas.run("payment", saga -> {
                id.set(saga.id());
                saga.step("charge", () -> new Receipt("r-3", 990),
                        DurableCompensation.of("refund", new Payment("p-3", 990), List.of()));
                saga.step("ship", () -> fail("no courier"), shipment -> {
                });
            })).hasMessage("no courier");
            assertThat(refunds.calls)
                .containsExactly("p-3 990 [] " + id.get() + ":charge Optional[Receipt[id=r-3, cents=990]]");
            assertThat(recordedResults(id.get())).containsExactly("charge r-3");
        });
    }

    @Test
    void continueOnErrorCompensatesTheRemainingStepsAndLeavesTheSagaStuck() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            ledger.failNext("c2", Integer.MAX_VALUE);
            String id = failingSaga(sagas, ledger, new SagaOptions(false, true), "c1", "c2", "c3");
            assertThat(ledger.released(id)).containsExactly("c3", "c1");
            assertThat(state(id)).isEqualTo("STUCK");
            assertThat(database.jdbc().queryForObject("SELECT attempts FROM reliant_saga_step WHERE saga_id = ?::uuid AND name = 'c2'",
                    Integer.class, id)).isEqualTo(5);
        });
    }

    @Test
    void withoutContinueOnErrorCompensationStopsAtTheFailingStep() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            ledger.failNext("d2", Integer.MAX_VALUE);
            String id = failingSaga(sagas, ledger, null, "d1", "d2", "d3");
            assertThat(ledger.released(id)).containsExactly("d3");
            assertThat(ledger.reserved(id)).containsExactly("d1", "d2");
            assertThat(state(id)).isEqualTo("STUCK");
        });
    }

    @Test
    void compensationFailingThreeTimesIsRetriedWithBackoffUntilItSucceeds() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            ledger.failNext("r2", 3);
            String id = failingSaga(sagas, ledger, null, "r1", "r2");
            assertThat(state(id)).isEqualTo("COMPENSATED");
            assertThat(ledger.released(id)).containsExactly("r2", "r1");
            assertThat(ledger.deliveries(id, "r2")).isEqualTo(1);
            assertThat(database.jdbc().queryForObject("SELECT attempt FROM releases WHERE saga_id = ? AND step = 'r2'",
                    Integer.class, id)).isEqualTo(4);
        });
    }

    @Test
    void sagaInsideATransactionIsCompensatedAfterTheRollbackOutsideIt() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            database.jdbc().execute("CREATE TABLE IF NOT EXISTS domain_rows (saga_id VARCHAR(64) PRIMARY KEY)");
            var transactions = new org.springframework.transaction.support.TransactionTemplate(
                    context.getBean(org.springframework.transaction.PlatformTransactionManager.class));
            JdbcTemplate contextJdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
            AtomicReference<String> id = new AtomicReference<>();
            Map<String, Object> seenByCompensation = new java.util.concurrent.ConcurrentHashMap<>();
            assertThatThrownBy(() -> transactions.executeWithoutResult(status -> sagas.run("in-tx", saga -> {
                id.set(saga.id());
                contextJdbc.update("INSERT INTO domain_rows VALUES (?)", saga.id());
                durable(saga, ledger, "t1");
                saga.step("t2", () -> "t2", result -> seenByCompensation.put("domainRows",
                        contextJdbc.queryForObject("SELECT count(*) FROM domain_rows WHERE saga_id = ?", Long.class,
                                id.get())));
                throw new IllegalStateException("rolled back");
            }))).hasMessage("rolled back");
            assertThat(database.jdbc().queryForObject("SELECT count(*) FROM domain_rows WHERE saga_id = ?", Long.class, id.get()))
                .isZero();
            assertThat(seenByCompensation).containsEntry("domainRows", 0L);
            assertThat(ledger.released(id.get())).containsExactly("t1");
            assertThat(state(id.get())).isEqualTo("COMPENSATED");
        });
    }

    @Test
    void sagaWhoseTransactionRollsBackIsCompensatedEvenThoughItsBodyReturned() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            var transactions = new org.springframework.transaction.support.TransactionTemplate(
                    context.getBean(org.springframework.transaction.PlatformTransactionManager.class));
            String id = transactions.execute(status -> {
                String sagaId = sagas.call("rollback-only", saga -> {
                    durable(saga, ledger, "u1");
                    return saga.id();
                });
                status.setRollbackOnly();
                return sagaId;
            });
            assertThat(ledger.released(id)).containsExactly("u1");
            assertThat(state(id)).isEqualTo("COMPENSATED");
        });
    }

    @Test
    void durableStepNamingAnUnknownHandlerFailsBeforeItsActionRuns() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            List<String> ran = new CopyOnWriteArrayList<>();
            assertThatThrownBy(() -> sagas.run("unknown", saga -> saga.step("x", () -> ran.add("x"),
                    DurableCompensation.of("no-such-handler"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-handler");
            assertThat(ran).isEmpty();
        });
    }

    @Test
    void finishedSagasAreDeletedOnceOlderThanTheRetention() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            String old = sagas.call("old", saga -> {
                durable(saga, ledger, "o1");
                return saga.id();
            });
            String recent = sagas.call("recent", saga -> {
                durable(saga, ledger, "n1");
                return saga.id();
            });
            database.jdbc().update("UPDATE reliant_saga SET updated_at = now() - interval '8 days' WHERE id = ?::uuid", old);
            assertThat(context.getBean(dev.reliant.saga.recovery.SagaRecoveryWorker.class).deleteExpired())
                .isEqualTo(1);
            assertThat(database.jdbc().queryForList("SELECT id::text FROM reliant_saga WHERE id IN (?::uuid, ?::uuid)",
                    String.class, old, recent)).containsExactly(recent);
            assertThat(database.jdbc().queryForObject("SELECT count(*) FROM reliant_saga_step WHERE saga_id = ?::uuid",
                    Long.class, old)).isZero();
        });
    }

    record Payment(String id, long cents) {
    }

    record Receipt(String id, long cents) {
    }

    static class Refunds {

        final List<String> calls = new CopyOnWriteArrayList<>();

        @Compensation("refund")
        void refund(Payment payment, CompensationContext context, List<String> tags) {
            calls.add(payment.id() + " " + payment.cents() + " " + tags + " " + context.idempotencyKey() + " "
                    + context.result(Receipt.class));
        }

    }

    static String failingSaga(SagaManager sagas, Ledger ledger, SagaOptions options, String... steps) {
        AtomicReference<String> id = new AtomicReference<>();
        assertThatThrownBy(() -> sagas.run("failing", options, saga -> {
            id.set(saga.id());
            for (String step : steps) {
                durable(saga, ledger, step);
            }
            throw new IllegalStateException("fail after the steps");
        })).hasMessage("fail after the steps");
        return id.get();
    }

    static String durable(Saga saga, Ledger ledger, String step) {
        return saga.step(step, () -> ledger.reserve(saga.id(), step), DurableCompensation.of("release", step));
    }

    /** The steps of a saga with the receipt id of the result the log holds for each. */
    private static List<String> recordedResults(String sagaId) {
        return database.jdbc().queryForList("SELECT name || ' ' || (result ->> 'id') FROM reliant_saga_step"
                + " WHERE saga_id = ?::uuid ORDER BY seq", String.class, sagaId);
    }

    static String state(String sagaId) {
        return stateOf(database.jdbc(), sagaId);
    }

    static String stateOf(JdbcTemplate jdbc, String sagaId) {
        return jdbc.queryForObject("SELECT state FROM reliant_saga WHERE id = ?::uuid", String.class, sagaId);
    }

    private static String fail(String message) {
        throw new IllegalStateException(message);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

}
