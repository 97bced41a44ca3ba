package dev.reliant.outbox;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A message to write to the outbox.
 *
 * @param destination the Kafka topic or RabbitMQ exchange
 * @param key the ordering key (aggregate id)
 * @param type the event type
 * @param payload the payload, serialized to JSON when written
 * @param headers additional headers sent with the message
 * @param dedupeKey an optional business identity of the event; a second message with the same dedupe key is refused
 */
public record OutboxEvent(String destination, String key, String type, Object payload, Map<String, String> headers,
        @Nullable String dedupeKey) {

    public OutboxEvent {
        requireText(destination, "destination");
        requireText(key, "key");
        requireText(type, "type");
        Objects.requireNonNull(payload, "payload must not be null");
        headers = Map.copyOf(headers);
        if (dedupeKey != null && dedupeKey.isBlank()) {
            throw new IllegalArgumentException("dedupeKey must not be blank");
        }
    }

    public static OutboxEvent of(String destination, String key, String type, Object payload) {
        return new OutboxEvent(destination, key, type, payload, Map.of(), null);
    }

    /** This event with the given headers added. */
    public OutboxEvent withHeaders(Map<String, String> more) {
        Map<String, String> merged = new LinkedHashMap<>(headers);
        merged.putAll(more);
        return new OutboxEvent(destination, key, type, payload, merged, dedupeKey);
    }

    /** This event with a dedupe key: the outbox refuses a second event with the same one. */
    public OutboxEvent withDedupeKey(String dedupeKey) {
        return new OutboxEvent(destination, key, type, payload, headers, dedupeKey);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }
}
