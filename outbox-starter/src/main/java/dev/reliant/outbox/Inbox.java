package dev.reliant.outbox;

import java.util.function.Supplier;

/**
 * Consumer-side deduplication: records the id of each processed message in the consumer's database transaction,
 * together with the handler's own writes, so that a message delivered twice (the relay guarantees at-least-once
 * delivery) changes the consumer's state once. Works inside a {@code @KafkaListener} or {@code @RabbitListener}:
 * take the id from the {@value OutboxHeaders#MESSAGE_ID} header (Kafka) or the message id property (RabbitMQ).
 */
public interface Inbox {

    /**
     * Runs {@code handler} unless this consumer already processed {@code messageId}. Joins the caller's
     * transaction or starts one; the record of the id commits or rolls back with the handler's writes.
     * @param consumer the consuming component, so that several consumers of one message each process it once
     * @return true when the handler ran, false for a duplicate
     */
    boolean process(String consumer, String messageId, Runnable handler);

    /**
     * Like {@link #process(String, String, Runnable)} for the default consumer name
     * ({@code reliant.outbox.inbox.consumer}).
     */
    boolean process(String messageId, Runnable handler);

    /**
     * Like {@link #process(String, String, Runnable)}, returning the handler's result, or null for a duplicate.
     */
    <T> T process(String consumer, String messageId, Supplier<T> handler);

}
