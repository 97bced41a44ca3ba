package dev.reliant.outbox;

import java.util.concurrent.CompletableFuture;

/**
 * Sends outbox messages to a broker. The relay calls it outside any transaction and holds no database lock
 * meanwhile; it marks a message as published only when the returned future completes normally, which must mean
 * that the broker has acknowledged the message.
 * <p>
 * A future completed with a {@link NonRetryablePublishException} parks the message at once; any other failure
 * is retried with backoff.
 */
@FunctionalInterface
public interface OutboxPublisher {

    CompletableFuture<Void> publish(OutboxMessage message);

}
