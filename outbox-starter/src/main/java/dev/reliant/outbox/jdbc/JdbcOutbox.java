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
import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxTransactionRequiredException;
import dev.reliant.outbox.jdbc.RelayStore.ClaimedMessage;
import org.jspecify.annotations.Nullable;
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
 * <p>
 * With a {@link CommitHandOff}, a writer that adds its key's row leases the key to this instance's relay in the same
 * statement, and hands the key's messages to it after the commit, which spares the relay a claim and the commit its
 * notification. Under the key's advisory lock, a key without a row has no pending message, so the leased messages
 * are the key's first and the relay may send them at once: per-key order holds. The key's later writers find its
 * row leased and leave their messages to a claim, which comes after the hand-over is settled.
 */
public class JdbcOutbox implements Outbox {

    private final JdbcTemplate jdbc;

    private final DataSource dataSource;

    private final OutboxTables tables;

    private final JsonMapper json;

    private final List<OutboxHeaderContributor> contributors;

    private final CommitNotifier notifier;

    private final @Nullable CommitHandOff handOff;

    private final String insert;

    private final String leasingInsert;

    public JdbcOutbox(JdbcTemplate jdbc, OutboxTables tables, JsonMapper json,
            List<OutboxHeaderContributor> contributors, CommitNotifier notifier) {
        this(jdbc, tables, json, contributors, notifier, null);
    }

    /**
     * @param handOff this instance's relay, to lease new keys to and hand their messages to after the commit; null
     * leaves every message to a claim
     */
    public JdbcOutbox(JdbcTemplate jdbc, OutboxTables tables, JsonMapper json,
            List<OutboxHeaderContributor> contributors, CommitNotifier notifier, @Nullable CommitHandOff handOff) {
        this.jdbc = jdbc;
        this.handOff = handOff;
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
        // As above, and a key row that this statement adds is leased to this instance's relay, as is the message
        // of a key whose row this statement added or this transaction leased before. The lease runs from the
        // statement's clock, which is later than the writer's own note of when its leases began. The statement
        // answers whether the key is leased even when the message is refused as a duplicate: the key's row must
        // then be released after the commit, not left leased until the lease runs out.
        this.leasingInsert = "WITH locked AS MATERIALIZED (SELECT pg_advisory_xact_lock(?, hashtext(?))),"
                + " keyed AS (INSERT INTO " + tables.keys() + " (message_key, available_at, claim_token, claimed_by)"
                + " SELECT ?, clock_timestamp() + ? * interval '1 millisecond', ?, ? FROM locked"
                + " ON CONFLICT (message_key) DO NOTHING RETURNING message_key),"
                + " leased AS (SELECT ?::boolean OR EXISTS (SELECT 1 FROM keyed) AS leased),"
                + " inserted AS (INSERT INTO " + tables.outbox()
                + " (id, destination, message_key, type, payload, headers, dedupe_key, keyed, claim_token, lease_until)"
                + " SELECT ?, ?, ?, ?, ?, ?::jsonb, ?, true, CASE WHEN l.leased THEN ?::uuid END,"
                + " CASE WHEN l.leased THEN clock_timestamp() + ? * interval '1 millisecond' END"
                + " FROM locked, leased l"
                + " ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING seq)"
                + " SELECT (SELECT seq FROM inserted), leased FROM leased";
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
        Map<String, String> headers = headers(event);
        String headersJson = serialize(headers, "headers of " + event.type());
        UUID id = UUID.randomUUID();
        LeasedWrites leases = (handOff != null) ? LeasedWrites.current(this, handOff) : null;
        if (leases == null) {
            int inserted = jdbc.update(insert, tables.lockNamespace(), event.key(), event.key(), id,
                    event.destination(), event.key(), event.type(), payload, headersJson, event.dedupeKey());
            if (inserted == 0) {
                throw new DuplicateOutboxMessageException(event.dedupeKey());
            }
            notifier.onWrite();
            return id;
        }
        long leaseMillis = handOff.lease().toMillis();
        Written written = jdbc.queryForObject(leasingInsert,
                (rs, row) -> new Written(rs.getObject(1, Long.class), rs.getBoolean(2)), tables.lockNamespace(),
                event.key(), event.key(), leaseMillis, leases.token(), leases.holder(), leases.holds(event.key()), id,
                event.destination(), event.key(), event.type(), payload, headersJson, event.dedupeKey(),
                leases.token(), leaseMillis);
        if (written.leased()) {
            leases.leased(event.key());
        }
        if (written.seq() == null) {
            throw new DuplicateOutboxMessageException(event.dedupeKey());
        }
        if (written.leased()) {
            leases.written(new ClaimedMessage(new OutboxMessage(id, event.destination(), event.key(), event.type(),
                    payload, headers, 1), written.seq(), 0));
        }
        else {
            notifier.onWrite();
        }
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

    /** What the leasing insert did: the message's sequence number, null for a duplicate, and whether it is leased. */
    private record Written(@Nullable Long seq, boolean leased) {
    }
}
