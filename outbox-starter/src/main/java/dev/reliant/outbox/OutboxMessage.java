package dev.reliant.outbox;

import java.util.Map;
import java.util.UUID;

/**
 * A stored message as the relay hands it to an {@link OutboxPublisher}.
 *
 * @param id the message id; stable across redeliveries, so consumers can deduplicate on it
 * @param destination the Kafka topic or RabbitMQ exchange
 * @param key the ordering key
 * @param type the event type
 * @param payload the JSON payload
 * @param headers the headers captured when the message was written (including {@code traceparent} when present)
 * @param attempt the number of this delivery attempt, starting at 1
 */
public record OutboxMessage(UUID id, String destination, String key, String type, String payload,
        Map<String, String> headers, int attempt) {

    public OutboxMessage {
        headers = Map.copyOf(headers);
    }
}
