package dev.reliant.outbox.autoconfigure;

/**
 * Thrown at startup when the outbox starter is enabled but the application has no {@code DataSource}: the outbox
 * writes its messages in the application's PostgreSQL database, in the transaction of the change they describe.
 */
public class OutboxDataSourceMissingException extends IllegalStateException {

    public OutboxDataSourceMissingException() {
        super("The outbox writes its messages in the application's PostgreSQL database, in the transaction of the"
                + " change they describe, but there is no DataSource bean.");
    }
}
