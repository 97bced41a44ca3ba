package dev.reliant.saga;

import java.util.UUID;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * The latency a durable saga adds to three calls, measured against the same three calls without a saga, in one
 * run with both interleaved. Not part of the regular build; run with
 * {@code ./mvnw -pl saga-starter -am verify -Dgroups=measure -DexcludedGroups=none}.
 */
@Tag("measure")
class SagaLatencyMeasureTest {

    private static final int WARMUP = 500;

    private static final int MEASURED = 3000;

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();


    @Test
    void threeStepDurableSagaAgainstTheSameCallsWithoutASaga() {
        SagaTestContexts.runner(database.schema()).run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            Histogram plain = new Histogram(3);
            Histogram saga = new Histogram(3);
            for (int i = 0; i < WARMUP + MEASURED; i++) {
                boolean measured = i >= WARMUP;
                long start = System.nanoTime();
                String id = UUID.randomUUID().toString();
                for (String step : SagaKillChild.STEPS) {
                    ledger.reserve(id, step);
                }
                record(plain, start, measured);
                start = System.nanoTime();
                sagas.run("measure", s -> {
                    for (String step : SagaKillChild.STEPS) {
                        SagaCompensationTest.durable(s, ledger, step);
                    }
                });
                record(saga, start, measured);
            }
            assertThat(database.jdbc().queryForObject("SELECT count(*) FROM reliant_saga WHERE state = 'COMPLETED'", Long.class))
                .isEqualTo(WARMUP + MEASURED);
            System.out.printf("3 calls without saga: p50 %.3f ms, p99 %.3f ms%n", ms(plain, 50), ms(plain, 99));
            System.out.printf("3-step durable saga:  p50 %.3f ms, p99 %.3f ms%n", ms(saga, 50), ms(saga, 99));
            System.out.printf("added by the saga:    p50 %.3f ms, p99 %.3f ms (%d sagas)%n",
                    ms(saga, 50) - ms(plain, 50), ms(saga, 99) - ms(plain, 99), MEASURED);
        });
    }

    private static void record(Histogram histogram, long start, boolean measured) {
        if (measured) {
            histogram.recordValue(System.nanoTime() - start);
        }
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1_000_000.0;
    }

}
