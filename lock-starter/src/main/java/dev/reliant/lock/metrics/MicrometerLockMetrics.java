package dev.reliant.lock.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code reliant.lock.acquired} and {@code reliant.lock.lost} tagged by lock, {@code reliant.lock.fence.refused}
 * tagged by resource. Lock names and resources are few and fixed in code, so they make low-cardinality tags.
 */
public class MicrometerLockMetrics implements LockMetrics {

    private final MeterRegistry registry;

    public MicrometerLockMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void acquired(String lock) {
        Counter.builder("reliant.lock.acquired")
            .description("Locks acquired by this instance")
            .tag("lock", lock)
            .register(registry)
            .increment();
    }

    @Override
    public void lost(String lock) {
        Counter.builder("reliant.lock.lost")
            .description("Leases lost before their holder released them")
            .tag("lock", lock)
            .register(registry)
            .increment();
    }

    @Override
    public void refused(String resource) {
        Counter.builder("reliant.lock.fence.refused")
            .description("Writes refused by the fence because a later holder had written")
            .tag("resource", resource)
            .register(registry)
            .increment();
    }

}
