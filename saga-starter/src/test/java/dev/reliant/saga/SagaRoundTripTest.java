package dev.reliant.saga;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a saga that succeeds sends to its database: one statement per durable step, each carrying the result of
 * the durable step before it, and one to close the saga with the last result. The actions here do not touch the
 * database, so everything counted is the saga's.
 */
class SagaRoundTripTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();

    private final ApplicationContextRunner runner = SagaTestContexts.runner(database.schema())
        .withBean(RoundTrips.class)
        // no lease renewal while a saga runs, which would be counted with it
        .withPropertyValues("reliant.saga.lease.duration=2h", "reliant.saga.lease.renew-interval=1h");

    @Test
    void threeDurableStepsCostFourRoundTrips() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            AtomicReference<String> id = new AtomicReference<>();
            List<String> sent = context.getBean(RoundTrips.class).during(() -> sagas.run("order", saga -> {
                id.set(saga.id());
                for (String step : List.of("s1", "s2", "s3")) {
                    saga.step(step, () -> "done " + step, DurableCompensation.of("release", step));
                }
            }));
            assertThat(sent).as("round trips of a 3-step saga").hasSize(4);
            assertThat(steps(id.get())).containsExactly("s1 DONE \"done s1\"", "s2 DONE \"done s2\"",
                    "s3 DONE \"done s3\"");
            assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPLETED");
        });
    }

    @Test
    void inMemoryStepsAddNoRoundTripAndDurableResultsGoWithTheNextDurableWrite() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            RoundTrips roundTrips = context.getBean(RoundTrips.class);
            AtomicReference<String> id = new AtomicReference<>();
            List<String> sent = roundTrips.during(() -> sagas.run("mixed", saga -> {
                id.set(saga.id());
                saga.step("d1", () -> "done d1", DurableCompensation.of("release", "d1"));
                saga.step("m2", () -> "done m2", result -> {
                });
                saga.step("d3", () -> "done d3", DurableCompensation.of("release", "d3"));
                saga.step("m4", () -> "done m4", result -> {
                });
            }));
            assertThat(sent).as("round trips of a saga of 2 durable and 2 in-memory steps").hasSize(3);
            assertThat(steps(id.get())).containsExactly("d1 DONE \"done d1\"", "d3 DONE \"done d3\"");
            assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPLETED");

            assertThat(roundTrips.during(() -> sagas.run("in-memory", saga -> saga.step("m1", () -> "done m1",
                    result -> {
                    })))).as("round trips of a saga of in-memory steps").isEmpty();
        });
    }

    private static List<String> steps(String sagaId) {
        return database.jdbc().queryForList("SELECT name || ' ' || state || ' ' || result::text FROM reliant_saga_step"
                + " WHERE saga_id = ?::uuid ORDER BY seq", String.class, sagaId);
    }

}
