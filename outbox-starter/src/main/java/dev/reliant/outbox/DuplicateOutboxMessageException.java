package dev.reliant.outbox;

/**
 * Thrown by {@link Outbox#publish(OutboxEvent)} when a message with the same dedupe key was already written. The
 * caller's transaction is left intact: the caller may catch this and carry on.
 */
public class DuplicateOutboxMessageException extends RuntimeException {

    private final String dedupeKey;

    public DuplicateOutboxMessageException(String dedupeKey) {
        super("An outbox message with dedupe key '" + dedupeKey + "' was already written");
        this.dedupeKey = dedupeKey;
    }

    public String getDedupeKey() {
        return dedupeKey;
    }
}
