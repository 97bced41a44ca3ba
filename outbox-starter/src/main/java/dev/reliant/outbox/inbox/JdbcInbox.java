package dev.reliant.outbox.inbox;

import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.reliant.outbox.Inbox;
import dev.reliant.outbox.OutboxTransactionRequiredException;
import dev.reliant.outbox.jdbc.BoundTransaction;
import dev.reliant.outbox.jdbc.OutboxTables;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link Inbox} on a table keyed by consumer and message id. The insert of the id and the handler share one
 * transaction: if the handler fails, the id is not recorded and the redelivered message is handled again; a
 * concurrent duplicate waits on the first one's uncommitted row and then sees it. The transaction must be one on the
 * inbox's DataSource: in a transaction of another resource the insert would commit on its own.
 */
public class JdbcInbox implements Inbox {

    private final JdbcTemplate jdbc;

    private final DataSource dataSource;

    private final TransactionTemplate transactions;

    private final String defaultConsumer;

    private final String record;

    /**
     * @param transactions a template with propagation REQUIRED, so that a listener's own transaction is joined
     */
    public JdbcInbox(JdbcTemplate jdbc, TransactionTemplate transactions, OutboxTables tables,
            String defaultConsumer) {
        this.jdbc = jdbc;
        this.dataSource = jdbc.getDataSource();
        this.transactions = transactions;
        this.defaultConsumer = defaultConsumer;
        this.record = "INSERT INTO " + tables.inbox() + " (consumer, message_id) VALUES (?, ?) ON CONFLICT DO NOTHING";
    }

    @Override
    public boolean process(String consumer, String messageId, Runnable handler) {
        return process(consumer, messageId, () -> {
            handler.run();
            return Boolean.TRUE;
        }) != null;
    }

    @Override
    public boolean process(String messageId, Runnable handler) {
        return process(defaultConsumer, messageId, handler);
    }

    @Override
    public <T> T process(String consumer, String messageId, Supplier<T> handler) {
        if (messageId == null || messageId.isBlank()) {
            throw new IllegalArgumentException("The message id is missing: cannot deduplicate");
        }
        return transactions.execute((status) -> {
            if (!BoundTransaction.writesThrough(dataSource)) {
                throw new OutboxTransactionRequiredException("Inbox.process ran inside a transaction that holds no"
                        + " connection of the outbox's DataSource (a transaction of another DataSource's or of a"
                        + " broker's transaction manager): the inbox record would be committed even if the"
                        + " handler failed, and the redelivery skipped. Give the inbox a transaction manager for"
                        + " the outbox's DataSource");
            }
            return (jdbc.update(record, consumer, messageId) == 0) ? null : handler.get();
        });
    }
}
