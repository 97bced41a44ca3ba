package dev.reliant.outbox.metrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.relay.RelayObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The relay's counters and latency timer: {@code reliant.outbox.published}, {@code reliant.outbox.failed}
 * (attempts that will be retried), {@code reliant.outbox.parked} and {@code reliant.outbox.publish.latency} (from
 * the write of a message to the broker's acknowledgement).
 */
public class OutboxMeters implements RelayObserver {

    private final Counter published;

    private final Counter failed;

    private final Counter parked;

    private final Timer latency;

    public OutboxMeters(MeterRegistry registry) {
        this.published = Counter.builder("reliant.outbox.published")
            .description("Messages the broker acknowledged")
            .register(registry);
        this.failed = Counter.builder("reliant.outbox.failed")
            .description("Publication attempts that failed and will be retried")
            .register(registry);
        this.parked = Counter.builder("reliant.outbox.parked")
            .description("Messages parked after a non-retryable failure or the last attempt")
            .register(registry);
        this.latency = Timer.builder("reliant.outbox.publish.latency")
            .description("Time from writing a message to the broker's acknowledgement")
            .publishPercentileHistogram()
            .register(registry);
    }

    @Override
    public void published(OutboxMessage message, Duration latency) {
        this.published.increment();
        this.latency.record(latency.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void failed(OutboxMessage message, Throwable failure) {
        this.failed.increment();
    }

    @Override
    public void parked(OutboxMessage message, Throwable failure) {
        this.parked.increment();
    }
}
