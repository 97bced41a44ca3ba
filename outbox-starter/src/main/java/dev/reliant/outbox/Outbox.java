package dev.reliant.outbox;

import java.util.Map;
import java.util.UUID;

/**
 * Writes messages to the transactional outbox. A message is stored in the caller's database transaction and
 * relayed to its destination only once that transaction has committed; when the transaction rolls back, nothing
 * is sent. Messages of one key reach the broker in the order their transactions committed.
 */
public interface Outbox {

    /**
     * Stores a message for the relay.
     * @param destination the Kafka topic or RabbitMQ exchange
     * @param key the aggregate or ordering key; messages of one key are delivered in commit order
     * @param type the event type, sent as a header
     * @param payload the payload, serialized to JSON
     * @return the message id
     * @throws OutboxTransactionRequiredException when no transaction is active
     */
    default UUID publish(String destination, String key, String type, Object payload) {
        return publish(OutboxEvent.of(destination, key, type, payload));
    }

    /**
     * Stores a message with additional headers for the relay.
     * @see #publish(String, String, String, Object)
     */
    default UUID publish(String destination, String key, String type, Object payload, Map<String, String> headers) {
        return publish(OutboxEvent.of(destination, key, type, payload).withHeaders(headers));
    }

    /**
     * Stores a message for the relay.
     * @return the message id
     * @throws OutboxTransactionRequiredException when no transaction is active
     * @throws DuplicateOutboxMessageException when the event has a dedupe key that an earlier message already used
     */
    UUID publish(OutboxEvent event);

}
