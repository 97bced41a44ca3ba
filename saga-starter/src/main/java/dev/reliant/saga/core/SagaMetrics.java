package dev.reliant.saga.core;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The saga meters, tagged by saga name only to keep their cardinality low. */
public class SagaMetrics {

    private final MeterRegistry registry;

    public SagaMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void started(String saga) {
        count("reliant.saga.started", saga);
    }

    void completed(String saga) {
        count("reliant.saga.completed", saga);
    }

    void compensated(String saga) {
        count("reliant.saga.compensated", saga);
    }

    void stuck(String saga) {
        count("reliant.saga.stuck", saga);
    }

    void compensation(String saga, String outcome, long nanos) {
        Timer.builder("reliant.saga.compensation")
            .description("Time to run one step's compensation, retries included")
            .tag("saga", saga)
            .tag("outcome", outcome)
            .register(registry)
            .record(nanos, TimeUnit.NANOSECONDS);
    }

    private void count(String name, String saga) {
        Counter.builder(name).tag("saga", saga).register(registry).increment();
    }

}
