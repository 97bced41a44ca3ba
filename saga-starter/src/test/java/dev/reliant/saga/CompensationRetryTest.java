package dev.reliant.saga;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import dev.reliant.saga.recovery.SagaRecoveryWorker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Retries that must not be counted or must not repeat work: a shutdown, a commit whose outcome got lost. */
class CompensationRetryTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();

    private final FaultyDataSource dataSource = new FaultyDataSource(database.dataSource());

    private final ApplicationContextRunner runner = SagaTestContexts.runner(database.schema())
        .withBean(DataSource.class, () -> dataSource)
        .withBean(Participant.class);

    @BeforeAll
    static void effects() {
        database.jdbc().execute("CREATE TABLE effects (step VARCHAR(64) PRIMARY KEY, runs INT NOT NULL)");
    }

    @Test
    void compensationInterruptedByShutdownIsLeftToRecoveryWithoutCountingAttempts() {
        AtomicReference<String> id = new AtomicReference<>();
        runner.withPropertyValues("reliant.saga.owner-id=stopping", "reliant.saga.compensation.initial-backoff=1s",
                "reliant.saga.compensation.max-backoff=1s")
            .run(context -> {
                Participant participant = context.getBean(Participant.class);
                participant.failing = true;
                SagaManager sagas = context.getBean(SagaManager.class);
                CompletableFuture<Void> running = CompletableFuture.runAsync(() -> sagas.run("stopped", saga -> {
                    id.set(saga.id());
                    saga.step("x1", () -> "x1", DurableCompensation.of("cancel", "x1"));
                    throw new IllegalStateException("fails while the application stops");
                }));
                await().atMost(30, TimeUnit.SECONDS).until(() -> participant.attempts.get() == 1);
                // the participant fails because it is going away too: nothing to count against the saga
                context.close();
                assertThatThrownBy(running::join).hasRootCauseMessage("fails while the application stops");
                assertThat(participant.attempts).hasValue(1);
            });
        Map<String, Object> saga = database.jdbc().queryForMap("SELECT s.state, st.attempts, st.last_error,"
                + " s.lease_until <= now() AS lease_over FROM reliant_saga s JOIN reliant_saga_step st"
                + " ON st.saga_id = s.id WHERE s.id = ?::uuid", id.get());
        assertThat(saga).containsEntry("state", "COMPENSATING")
            .containsEntry("attempts", 0)
            .containsEntry("last_error", null)
            .containsEntry("lease_over", true);

        runner.withPropertyValues("reliant.saga.owner-id=restarted").run(context -> {
            assertThat(context.getBean(SagaRecoveryWorker.class).recoverOrphans()).isEqualTo(1);
            assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");
            assertThat(context.getBean(Participant.class).attempts).hasValue(1);
        });
    }

    @Test
    void compensationRetriedAfterACommitThatSeemedToFailDoesNotRunTwice() {
        runner.run(context -> {
            Participant participant = context.getBean(Participant.class);
            participant.loseCommitOf = "y1";
            SagaManager sagas = context.getBean(SagaManager.class);
            AtomicReference<String> id = new AtomicReference<>();
            assertThatThrownBy(() -> sagas.run("ambiguous", saga -> {
                id.set(saga.id());
                saga.step("y1", () -> "y1", DurableCompensation.of("cancel", "y1"));
                throw new IllegalStateException("fail");
            })).hasMessage("fail");
            assertThat(dataSource.commitsLost()).isEqualTo(1);
            // the second attempt found the step compensated: the handler ran once
            assertThat(participant.attempts).hasValue(1);
            assertThat(database.jdbc().queryForObject("SELECT runs FROM effects WHERE step = 'y1'", Integer.class))
                .isEqualTo(1);
            assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");
        });
    }

    /** A participant whose compensation writes through the application's database, in the compensation's transaction. */
    static class Participant {

        final AtomicInteger attempts = new AtomicInteger();

        volatile boolean failing;

        volatile String loseCommitOf;

        private final JdbcTemplate jdbc;

        private final FaultyDataSource dataSource;

        Participant(JdbcTemplate jdbc, DataSource dataSource) {
            this.jdbc = jdbc;
            this.dataSource = (FaultyDataSource) dataSource;
        }

        @Compensation("cancel")
        void cancel(String step, CompensationContext context) {
            attempts.incrementAndGet();
            if (failing) {
                throw new IllegalStateException("participant unavailable");
            }
            jdbc.update("INSERT INTO effects (step, runs) VALUES (?, 1) ON CONFLICT (step)"
                    + " DO UPDATE SET runs = effects.runs + 1", step);
            if (step.equals(loseCommitOf)) {
                loseCommitOf = null;
                dataSource.failAfterNextCommitOnThisThread();
            }
        }

    }

}
