package dev.reliant.outbox;

import java.time.Instant;
import java.util.UUID;

/**
 * A message the relay gave up on.
 *
 * @param id the message id
 * @param destination the destination
 * @param key the ordering key
 * @param type the event type
 * @param attempts how many times it was tried
 * @param lastError why the last attempt failed
 * @param createdAt when it was written
 */
public record ParkedMessage(UUID id, String destination, String key, String type, int attempts, String lastError,
        Instant createdAt) {
}
