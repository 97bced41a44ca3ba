package dev.reliant.idempotency.actuate;

import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * DOWN while the store cannot be reached or its circuit breaker is open: then idempotent endpoints answer 503
 * (or run unprotected when failing open).
 */
public class IdempotencyStoreHealthIndicator extends AbstractHealthIndicator {

    private static final String PROBE_KEY = "reliant:health-probe";

    private final GuardedIdempotencyStore store;

    public IdempotencyStoreHealthIndicator(GuardedIdempotencyStore store) {
        super("Idempotency store health check failed");
        this.store = store;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        CircuitBreaker.State circuit = store.circuitState();
        builder.withDetail("circuitBreaker", circuit.name());
        if (circuit == CircuitBreaker.State.OPEN || circuit == CircuitBreaker.State.FORCED_OPEN) {
            builder.down();
            return;
        }
        store.find(PROBE_KEY);
        builder.up();
    }
}
