package dev.reliant.saga.actuate;

import dev.reliant.saga.recovery.SagaAdministration;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Down while any saga is stuck: a compensation that kept failing means some other system may hold an effect
 * nobody will undo until an operator retries or resolves the saga.
 */
public class SagaHealthIndicator extends AbstractHealthIndicator {

    private final SagaAdministration administration;

    public SagaHealthIndicator(SagaAdministration administration) {
        super("Saga health check failed");
        this.administration = administration;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        long stuck = administration.countStuck();
        ((stuck > 0) ? builder.down() : builder.up()).withDetail("stuck", stuck);
    }

}
