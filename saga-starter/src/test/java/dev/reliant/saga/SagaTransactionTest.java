package dev.reliant.saga;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A saga run inside a transaction on the saga log's database ends with that transaction: it is complete exactly
 * when the business writes commit, is compensated when they roll back, and makes them roll back when it fails.
 */
class SagaTransactionTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();

    private final ApplicationContextRunner runner = SagaTestContexts.runner(database.schema());

    @Test
    void sagaIsCompleteExactlyWhenTheTransactionCommits() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            AtomicReference<String> id = new AtomicReference<>();
            AtomicReference<String> stateBeforeCommit = new AtomicReference<>();
            transactions(context).executeWithoutResult(status -> {
                sagas.run("order", saga -> {
                    id.set(saga.id());
                    saga.step("s1", () -> "done", DurableCompensation.of("release", "s1"));
                });
                stateBeforeCommit.set(SagaCompensationTest.stateOf(database.jdbc(), id.get()));
            });
            assertThat(stateBeforeCommit.get()).as("seen by others before the commit").isEqualTo("RUNNING");
            assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPLETED");
        });
    }

    @Test
    void sagaWhoseTransactionRollsBackAfterItReturnedIsCompensated() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            AtomicReference<String> id = new AtomicReference<>();
            transactions(context).executeWithoutResult(status -> {
                sagas.run("order", saga -> {
                    id.set(saga.id());
                    saga.step("s1", () -> "done", DurableCompensation.of("release", "s1"));
                });
                status.setRollbackOnly();
            });
            assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");
            assertThat(ledger.released(id.get())).containsExactly("s1");
        });
    }

    @Test
    void sagaThatFailsMakesItsTransactionRollBackBeforeItIsCompensated() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            String business = "business-" + UUID.randomUUID();
            AtomicReference<String> id = new AtomicReference<>();
            assertThatExceptionOfType(UnexpectedRollbackException.class)
                .isThrownBy(() -> transactions(context).executeWithoutResult(status -> {
                    jdbc.update("INSERT INTO reservations (saga_id, step) VALUES (?, 'order')", business);
                    try {
                        sagas.run("order", saga -> {
                            id.set(saga.id());
                            saga.step("s1", () -> "done", DurableCompensation.of("release", "s1"));
                            throw new IllegalStateException("declined");
                        });
                    }
                    catch (IllegalStateException handled) {
                        // the caller swallows the failure: its transaction must still not commit
                    }
                    assertThat(ledger.released(id.get())).as("nothing compensated inside the transaction").isEmpty();
                }));
            assertThat(ledger.reserved(business)).as("business write rolled back").isEmpty();
            assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");
            assertThat(ledger.released(id.get())).containsExactly("s1");
        });
    }

    private static TransactionTemplate transactions(
            org.springframework.context.ApplicationContext context) {
        return new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
    }
}
