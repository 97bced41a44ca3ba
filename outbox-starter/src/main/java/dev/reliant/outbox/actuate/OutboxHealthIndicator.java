package dev.reliant.outbox.actuate;

import java.time.Duration;

import dev.reliant.outbox.jdbc.OutboxBacklog;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * DOWN when the oldest pending message is older than the allowed lag (the relay is stuck or the broker
 * unreachable), OUT_OF_SERVICE when more messages are parked than allowed (they need an operator), UP otherwise.
 */
public class OutboxHealthIndicator extends AbstractHealthIndicator {

    private final OutboxBacklog backlog;

    private final Duration maxLag;

    private final long maxParked;

    public OutboxHealthIndicator(OutboxBacklog backlog, Duration maxLag, long maxParked) {
        super("Outbox health check failed");
        this.backlog = backlog;
        this.maxLag = maxLag;
        this.maxParked = maxParked;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        OutboxBacklog.Snapshot snapshot = backlog.snapshot();
        if (snapshot.oldestPendingAge().compareTo(maxLag) > 0) {
            builder.down();
        }
        else if (snapshot.parked() > maxParked) {
            builder.outOfService();
        }
        else {
            builder.up();
        }
        builder.withDetail("pending", snapshot.pending())
            .withDetail("parked", snapshot.parked())
            .withDetail("lag", snapshot.oldestPendingAge().toString());
    }
}
