package dev.reliant.outbox.inbox;

import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.reliant.outbox.Inbox;
import dev.reliant.outbox.OutboxTransactionRequiredException;
import dev.reliant.outbox.jdbc.BoundTransaction;
import dev.reliant.outbox.jdbc.OutboxTables;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

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

    private final ObservationRegistry observations;

    /**
     * @param transactions a template with propagation REQUIRED, so that a listener's own transaction is joined
     */
    public JdbcInbox(JdbcTemplate jdbc, TransactionTemplate transactions, OutboxTables tables,
            String defaultConsumer) {
        this(jdbc, transactions, tables, defaultConsumer, ObservationRegistry.NOOP);
    }

    /**
     * @param transactions a template with propagation REQUIRED, so that a listener's own transaction is joined
     * @param observations where each message's processing is observed, inside the listener's observation (which
     * continues the trace of the transaction that wrote the message, from its {@code traceparent} header)
     */
    public JdbcInbox(JdbcTemplate jdbc, TransactionTemplate transactions, OutboxTables tables, String defaultConsumer,
            ObservationRegistry observations) {
        this.observations = observations;
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
        Observation observation = Observation.createNotStarted("reliant.inbox.process", observations)
            .contextualName("inbox " + consumer)
            .lowCardinalityKeyValue("consumer", consumer)
            .highCardinalityKeyValue("message.id", messageId);
        return observation.observe(() -> processOnce(consumer, messageId, handler, observation));
    }

    private <T> T processOnce(String consumer, String messageId, Supplier<T> handler, Observation observation) {
        return transactions.execute((status) -> {
            if (!BoundTransaction.writesThrough(dataSource)) {
                throw new OutboxTransactionRequiredException("Inbox.process ran inside a transaction that holds no"
                        + " connection of the outbox's DataSource (a transaction of another DataSource's or of a"
                        + " broker's transaction manager): the inbox record would be committed even if the"
                        + " handler failed, and the redelivery skipped. Give the inbox a transaction manager for"
                        + " the outbox's DataSource");
            }
            boolean first = jdbc.update(record, consumer, messageId) == 1;
            observation.lowCardinalityKeyValue("outcome", first ? "processed" : "duplicate");
            return first ? handler.get() : null;
        });
    }
}
