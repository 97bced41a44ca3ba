package dev.reliant.test.outbox;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * One row of the outbox table.
 *
 * @param id the message id, the one {@code Outbox#publish} returned and consumers deduplicate on
 * @param destination the Kafka topic or RabbitMQ exchange
 * @param key the ordering key
 * @param type the event type
 * @param payload the payload as the JSON the relay sends
 * @param headers the headers written with the message
 * @param status {@code PENDING}, {@code PUBLISHED} or {@code PARKED}
 * @param attempts how many times the relay tried to publish it
 * @param publishedAt when the relay marked it published, or {@code null}
 * @param lastError the last publication error, or {@code null}
 */
public record WrittenMessage(UUID id, String destination, String key, String type, String payload,
        Map<String, String> headers, String status, int attempts, @Nullable Instant publishedAt,
        @Nullable String lastError) {

    /** Whether the relay has published this message and marked it so. */
    public boolean relayed() {
        return "PUBLISHED".equals(status);
    }

    /** Whether the relay gave up on this message after its retries, or found it unpublishable. */
    public boolean parked() {
        return "PARKED".equals(status);
    }

}
