package dev.reliant.idempotency.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * {@code reliant.idempotency.requests} (counter, tag {@code outcome}) and {@code reliant.idempotency.store} (timer,
 * tags {@code operation} and {@code result}). Meters are created once and looked up without allocation.
 */
public class MicrometerIdempotencyMetrics implements IdempotencyMetrics {

    private final Map<RequestOutcome, Counter> requests = new EnumMap<>(RequestOutcome.class);

    private final Map<String, Timer> successfulStoreCalls = new ConcurrentHashMap<>();

    private final Map<String, Timer> failedStoreCalls = new ConcurrentHashMap<>();

    private final MeterRegistry registry;

    public MicrometerIdempotencyMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (RequestOutcome outcome : RequestOutcome.values()) {
            requests.put(outcome, Counter.builder("reliant.idempotency.requests")
                .description("Requests to idempotent endpoints, by how they were answered")
                .tag("outcome", outcome.tag())
                .register(registry));
        }
    }

    @Override
    public void request(RequestOutcome outcome) {
        requests.get(outcome).increment();
    }

    @Override
    public void storeCall(String operation, boolean success, long nanos) {
        (success ? successfulStoreCalls : failedStoreCalls)
            .computeIfAbsent(operation, name -> storeTimer(name, success ? "success" : "error"))
            .record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer storeTimer(String operation, String result) {
        return Timer.builder("reliant.idempotency.store")
            .description("Calls to the idempotency store")
            .tag("operation", operation)
            .tag("result", result)
            .register(registry);
    }
}
