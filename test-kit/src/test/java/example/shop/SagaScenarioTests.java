package example.shop;

import java.util.UUID;

import dev.reliant.saga.DurableCompensation;
import dev.reliant.saga.SagaOptions;
import dev.reliant.saga.SagaState;
import dev.reliant.test.ReliantTest;
import dev.reliant.test.saga.CompensationCall;
import dev.reliant.test.saga.SagaRun;
import dev.reliant.test.saga.SagaScenario;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ReliantTest
class SagaScenarioTests {

    @Autowired
    SagaScenario scenario;

    @Autowired
    Warehouse warehouse;

    @Test
    void crashAfterAStepIsRecoveredAndEachDurableStepCompensatedOnce() {
        String first = item();
        String second = item();
        String never = item();

        SagaRun run = scenario.crashAfter("reserve-second").run("crash", saga -> {
            saga.step("reserve-first", () -> warehouse.reserve(first), DurableCompensation.of("release", first));
            saga.step("reserve-second", () -> warehouse.reserve(second), DurableCompensation.of("release", second));
            saga.step("reserve-never", () -> warehouse.reserve(never), DurableCompensation.of("release", never));
        });

        run.assertCompensatedOnce();
        assertThat(run.state()).isEqualTo(SagaState.COMPENSATED);
        assertThat(run.steps()).containsExactly("reserve-first", "reserve-second");
        assertThat(run.compensations()).extracting(CompensationCall::step)
            .containsExactly("reserve-second", "reserve-first");
        assertThat(warehouse.releases(first)).isEqualTo(1);
        assertThat(warehouse.releases(second)).isEqualTo(1);
        assertThat(warehouse.releases(never)).isZero();
    }

    @Test
    void failureAfterAStepCompensatesDurableAndInMemoryStepsOnce() {
        String durable = item();
        StringBuilder undone = new StringBuilder();

        SagaRun run = scenario.failAfter("in-memory").run("fail", saga -> {
            saga.step("durable", () -> warehouse.reserve(durable), DurableCompensation.of("release", durable));
            saga.step("in-memory", () -> { }, () -> undone.append("in-memory"));
        });

        run.assertCompensatedOnce();
        assertThat(undone).hasToString("in-memory");
        assertThat(run.compensations()).extracting(CompensationCall::step).containsExactly("in-memory", "durable");
        assertThat(warehouse.releases(durable)).isEqualTo(1);
    }

    @Test
    void anInMemoryCompensationLostInACrashFailsTheAssertion() {
        String durable = item();

        SagaRun run = scenario.crashAfter("in-memory").run("lost", saga -> {
            saga.step("durable", () -> warehouse.reserve(durable), DurableCompensation.of("release", durable));
            saga.step("in-memory", () -> { }, () -> { });
        });

        assertThat(run.compensationsOf("in-memory")).isEmpty();
        assertThatThrownBy(run::assertCompensatedOnce).isInstanceOf(AssertionError.class)
            .hasMessageContaining("step 'in-memory' has an in-memory compensation, which died with the crashed"
                    + " process");
    }

    @Test
    void aCompensationThatRanTwiceFailsTheAssertion() {
        String item = item();
        warehouse.failReleases(item, 1);

        SagaRun run = scenario.crashAfter("reserve").run("retried", saga -> saga.step("reserve",
                () -> warehouse.reserve(item), DurableCompensation.of("release", item)));

        assertThat(run.compensationsOf("reserve")).hasSize(2);
        assertThatThrownBy(run::assertCompensatedOnce).isInstanceOf(AssertionError.class)
            .hasMessageContaining("step 'reserve' was compensated 2 times");
    }

    @Test
    void aCompensationThatNeverRanFailsTheAssertion() {
        String stuck = item();
        String skipped = item();
        warehouse.failReleases(stuck, Integer.MAX_VALUE);

        SagaRun run = scenario.failAfter("second").run("stuck", SagaOptions.SEQUENTIAL, saga -> {
            saga.step("first", () -> warehouse.reserve(skipped), DurableCompensation.of("release", skipped));
            saga.step("second", () -> warehouse.reserve(stuck), DurableCompensation.of("release", stuck));
        });

        assertThat(run.state()).isEqualTo(SagaState.STUCK);
        assertThatThrownBy(run::assertCompensatedOnce).isInstanceOf(AssertionError.class)
            .hasMessageContaining("step 'first' was never compensated")
            .hasMessageContaining("the saga ended STUCK instead of COMPENSATED");
        assertThat(warehouse.releases(skipped)).isZero();
    }

    private static String item() {
        return "item-" + UUID.randomUUID();
    }

}
