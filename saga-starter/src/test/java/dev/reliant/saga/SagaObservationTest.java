package dev.reliant.saga;

import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Each saga step and each call of a compensation handler is an observation, so Boot's tracing makes a span of each. */
class SagaObservationTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();

    private final ApplicationContextRunner runner = SagaTestContexts.runner(database.schema())
        .withBean(ObservationRegistry.class, TestObservationRegistry::create);

    @Test
    void stepsAndCompensationsAreObserved() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            AtomicReference<String> id = new AtomicReference<>();
            assertThatIllegalStateException().isThrownBy(() -> sagas.run("order", saga -> {
                id.set(saga.id());
                saga.step("reserve", () -> ledger.reserve(saga.id(), "reserve"),
                        DurableCompensation.of("release", "reserve"));
                saga.step("charge", () -> ledger.reserve(saga.id(), "charge"),
                        DurableCompensation.of("release", "charge"));
                throw new IllegalStateException("declined");
            }));

            TestObservationRegistry observations = (TestObservationRegistry) context.getBean(ObservationRegistry.class);
            assertThat(observations).hasNumberOfObservationsWithNameEqualTo("reliant.saga.step", 2)
                .hasNumberOfObservationsWithNameEqualTo("reliant.saga.compensation.call", 2);
            assertThat(observations).hasAnObservation(observation -> observation
                .hasNameEqualTo("reliant.saga.compensation.call")
                .hasContextualNameEqualTo("order charge compensation")
                .hasLowCardinalityKeyValue("saga", "order")
                .hasLowCardinalityKeyValue("step", "charge")
                .hasLowCardinalityKeyValue("handler", "release")
                .hasHighCardinalityKeyValue("saga.id", id.get())
                .hasHighCardinalityKeyValue("attempt", "1"));
            assertThat(observations).hasAnObservation(observation -> observation.hasNameEqualTo("reliant.saga.step")
                .hasContextualNameEqualTo("order reserve")
                .hasLowCardinalityKeyValue("step", "reserve"));
        });
    }
}
