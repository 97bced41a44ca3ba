package dev.reliant.outbox.jdbc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import dev.reliant.outbox.DuplicateOutboxMessageException;
import dev.reliant.outbox.Outbox;
import dev.reliant.outbox.OutboxEvent;
import dev.reliant.outbox.OutboxHeaderContributor;
import dev.reliant.outbox.OutboxTransactionRequiredException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Writes outbox rows through the application's {@code DataSource}, inside the caller's transaction, which must be
 * a transaction on that DataSource.
 * <p>
 * Per message key, writers are serialised by a transaction-scoped advisory lock taken before the row's sequence
 * number is drawn. A second transaction writing the same key therefore waits until the first has committed or
 * rolled back, and its row always gets the higher sequence number: per key, sequence order is commit order, and
 * no row of a key is ever invisible to the relay while a later row of that key is visible. The transaction's commit
 * wakes the listening relays through the {@link CommitNotifier}.
 */
public class JdbcOutbox implements Outbox {

    private final JdbcTemplate jdbc;

    private final DataSource dataSource;

    private final OutboxTables tables;

    private final JsonMapper json;

    private final List<OutboxHeaderContributor> contributors;

    private final CommitNotifier notifier;

    private final String insert;

    public JdbcOutbox(JdbcTemplate jdbc, OutboxTables tables, JsonMapper json,
            List<OutboxHeaderContributor> contributors, CommitNotifier notifier) {
        this.jdbc = jdbc;
        this.dataSource = jdbc.getDataSource();
        this.notifier = notifier;
        this.tables = tables;
        this.json = json;
        this.contributors = List.copyOf(contributors);
        // One round trip: the CTE takes the key's lock before the INSERT draws the row's sequence number, since the
        // row to insert only exists once the CTE has run. The key's row is added under the same lock, as the relay's
        // retirement of keys expects, and the message is marked keyed so that the table's trigger, there for rows
        // inserted by other means, is skipped.
        this.insert = "WITH locked AS MATERIALIZED (SELECT pg_advisory_xact_lock(?, hashtext(?))),"
                + " keyed AS (INSERT INTO " + tables.keys() + " (message_key) SELECT ? FROM locked"
                + " ON CONFLICT (message_key) DO NOTHING)"
                + " INSERT INTO " + tables.outbox()
                + " (id, destination, message_key, type, payload, headers, dedupe_key, keyed)"
                + " SELECT ?, ?, ?, ?, ?, ?::jsonb, ?, true FROM locked"
                + " ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING";
    }

    @Override
    public UUID publish(OutboxEvent event) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()
                || TransactionSynchronizationManager.isCurrentTransactionReadOnly()) {
            throw new OutboxTransactionRequiredException();
        }
        if (!BoundTransaction.writesThrough(dataSource)) {
            throw new OutboxTransactionRequiredException("Outbox.publish ran inside a transaction that holds no"
                    + " connection of the outbox's DataSource (a transaction of another DataSource's or of a"
                    + " broker's transaction manager): the message would be committed at once and survive a"
                    + " rollback. Run it in a transaction of a transaction manager for the outbox's DataSource");
        }
        String payload = serialize(event.payload(), "payload of " + event.type());
        String headers = serialize(headers(event), "headers of " + event.type());
        UUID id = UUID.randomUUID();
        int inserted = jdbc.update(insert, tables.lockNamespace(), event.key(), event.key(), id,
                event.destination(), event.key(), event.type(), payload, headers, event.dedupeKey());
        if (inserted == 0) {
            throw new DuplicateOutboxMessageException(event.dedupeKey());
        }
        notifier.onWrite();
        return id;
    }

    private Map<String, String> headers(OutboxEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        contributors.forEach((contributor) -> contributor.contribute(headers));
        headers.putAll(event.headers());
        return headers;
    }

    private String serialize(Object value, String what) {
        try {
            return json.writeValueAsString(value);
        }
        catch (JacksonException ex) {
            throw new IllegalArgumentException("Could not serialize the " + what + " to JSON", ex);
        }
    }
}
