package dev.reliant.outbox;

/**
 * Thrown by {@link Outbox#publish} when no transaction is active: a message written outside a transaction would
 * be sent even if the business change it describes were never committed.
 */
public class OutboxTransactionRequiredException extends IllegalStateException {

    public OutboxTransactionRequiredException() {
        super("Outbox.publish must run inside a read-write transaction on the outbox's DataSource "
                + "(annotate the caller with @Transactional or use a TransactionTemplate)");
    }
}
