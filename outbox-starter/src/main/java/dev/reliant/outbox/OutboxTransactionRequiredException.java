package dev.reliant.outbox;

/**
 * Thrown by {@link Outbox#publish} (and the {@link Inbox}) when no transaction on the outbox's DataSource is
 * active: a message written outside one would be sent even if the business change it describes were never
 * committed, and an inbox record would outlive a failed handler.
 */
public class OutboxTransactionRequiredException extends IllegalStateException {

    public OutboxTransactionRequiredException() {
        super("Outbox.publish must run inside a read-write transaction on the outbox's DataSource "
                + "(annotate the caller with @Transactional or use a TransactionTemplate)");
    }

    public OutboxTransactionRequiredException(String message) {
        super(message);
    }
}
