package dev.reliant.outbox.jdbc;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import dev.reliant.outbox.ParkedMessage;
import dev.reliant.outbox.ParkedMessages;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** {@link ParkedMessages} on the outbox table. */
public class JdbcParkedMessages implements ParkedMessages {

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transactions;

    private final OutboxTables tables;

    public JdbcParkedMessages(JdbcTemplate jdbc, TransactionTemplate transactions, OutboxTables tables) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.tables = tables;
    }

    @Override
    public List<ParkedMessage> list(int limit) {
        return jdbc.query("SELECT id, destination, message_key, type, attempts, last_error, created_at FROM "
                + tables.outbox() + " WHERE status = 'PARKED' ORDER BY seq LIMIT ?",
                (rs, row) -> new ParkedMessage(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getInt(5), rs.getString(6),
                        rs.getObject(7, OffsetDateTime.class).toInstant()),
                limit);
    }

    @Override
    public long count() {
        Long count = jdbc.queryForObject("SELECT count(*) FROM " + tables.outbox() + " WHERE status = 'PARKED'",
                Long.class);
        return (count != null) ? count : 0;
    }

    @Override
    public boolean replay(UUID id) {
        return wakingKey(id, "UPDATE " + tables.outbox() + " SET status = 'PENDING', attempts = 0,"
                + " available_at = now(), last_error = NULL WHERE id = ? AND status = 'PARKED'");
    }

    @Override
    public boolean discard(UUID id) {
        // the key's next message may be due now
        return wakingKey(id, "DELETE FROM " + tables.outbox() + " WHERE id = ? AND status = 'PARKED'");
    }

    /**
     * Runs {@code change} on a parked message and makes its key due, unless the key is claimed right now (its
     * settle makes it due). The key row is locked before the message, in the order claims and settles lock them.
     */
    private boolean wakingKey(UUID id, String change) {
        Boolean changed = transactions.execute((status) -> {
            List<String> key = jdbc.queryForList("SELECT message_key FROM " + tables.outbox()
                    + " WHERE id = ? AND status = 'PARKED'", String.class, id);
            if (key.isEmpty()) {
                return false;
            }
            jdbc.update("INSERT INTO " + tables.keys() + " AS k (message_key) VALUES (?) ON CONFLICT (message_key)"
                    + " DO UPDATE SET available_at = now() WHERE k.claim_token IS NULL", key.get(0));
            if (jdbc.update(change, id) == 0) {
                return false;
            }
            jdbc.queryForObject("SELECT 1 FROM (SELECT pg_notify(?, '')) AS notified", Integer.class,
                    tables.channel());
            return true;
        });
        return Boolean.TRUE.equals(changed);
    }
}
