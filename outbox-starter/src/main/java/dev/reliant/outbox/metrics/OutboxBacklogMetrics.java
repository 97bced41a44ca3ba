package dev.reliant.outbox.metrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.reliant.outbox.jdbc.OutboxBacklog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the backlog: {@code reliant.outbox.pending}, {@code reliant.outbox.lag} (age of the oldest pending
 * message) and {@code reliant.outbox.parked.messages}. They share one query, run at most once per refresh interval
 * however often the registry is scraped.
 */
public class OutboxBacklogMetrics implements MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(OutboxBacklogMetrics.class);

    private final OutboxBacklog backlog;

    private final long refreshNanos;

    private OutboxBacklog.Snapshot snapshot;

    private long readAt;

    public OutboxBacklogMetrics(OutboxBacklog backlog, Duration refreshInterval) {
        this.backlog = backlog;
        this.refreshNanos = refreshInterval.toNanos();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("reliant.outbox.pending", this, (metrics) -> metrics.current().pending())
            .description("Messages waiting to be published")
            .register(registry);
        Gauge.builder("reliant.outbox.lag", this,
                (metrics) -> metrics.current().oldestPendingAge().toNanos() / (double) TimeUnit.SECONDS.toNanos(1))
            .description("Age of the oldest message waiting to be published")
            .baseUnit("seconds")
            .register(registry);
        Gauge.builder("reliant.outbox.parked.messages", this, (metrics) -> metrics.current().parked())
            .description("Messages parked, waiting for replay or discard")
            .register(registry);
    }

    synchronized OutboxBacklog.Snapshot current() {
        long now = System.nanoTime();
        if (snapshot == null || now - readAt >= refreshNanos) {
            try {
                snapshot = backlog.snapshot();
                readAt = now;
            }
            catch (RuntimeException ex) {
                log.debug("Could not read the outbox backlog", ex);
                if (snapshot == null) {
                    return new OutboxBacklog.Snapshot(0, 0, Duration.ZERO);
                }
            }
        }
        return snapshot;
    }
}
