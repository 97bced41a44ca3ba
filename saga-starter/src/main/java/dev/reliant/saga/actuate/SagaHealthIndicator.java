package dev.reliant.saga.actuate;

import dev.reliant.saga.recovery.SagaAdministration;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * {@link #STUCK} while any saga is stuck, with their count, and {@code UP} otherwise. A stuck saga is one that
 * needs an operator, wherever it ran; it says nothing about this instance, so its status is not part of the
 * default status order and leaves the overall health, liveness and readiness as they are. Add {@code STUCK} to
 * {@code management.endpoint.health.status.order} to make it count.
 */
public class SagaHealthIndicator extends AbstractHealthIndicator {

    /** Some saga is stuck: a compensation kept failing and an effect elsewhere may be left undone. */
    public static final Status STUCK = new Status("STUCK", "A saga's compensation kept failing: retry or resolve it");

    private final SagaAdministration administration;

    public SagaHealthIndicator(SagaAdministration administration) {
        super("Saga health check failed");
        this.administration = administration;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        long stuck = administration.countStuck();
        builder.status((stuck > 0) ? STUCK : Status.UP).withDetail("stuck", stuck);
    }

}
