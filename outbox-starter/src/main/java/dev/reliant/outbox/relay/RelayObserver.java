package dev.reliant.outbox.relay;

import java.time.Duration;

import dev.reliant.outbox.OutboxMessage;

/** Hears what the relay does with each message, for metrics. */
public interface RelayObserver {

    RelayObserver NONE = new RelayObserver() {
    };

    /**
     * A message was acknowledged by the broker.
     * @param latency from the write of the message (database clock) to the acknowledgement
     */
    default void published(OutboxMessage message, Duration latency) {
    }

    /** An attempt failed; the message will be tried again. */
    default void failed(OutboxMessage message, Throwable failure) {
    }

    /** An attempt failed and the message was parked. */
    default void parked(OutboxMessage message, Throwable failure) {
    }

}
