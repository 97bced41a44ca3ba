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
        Boolean replayed = transactions.execute((status) -> {
            int updated = jdbc.update("UPDATE " + tables.outbox() + " SET status = 'PENDING', attempts = 0,"
                    + " available_at = now(), last_error = NULL WHERE id = ? AND status = 'PARKED'", id);
            if (updated > 0) {
                jdbc.queryForObject("SELECT 1 FROM (SELECT pg_notify(?, '')) AS notified", Integer.class,
                        tables.channel());
            }
            return updated > 0;
        });
        return Boolean.TRUE.equals(replayed);
    }

    @Override
    public boolean discard(UUID id) {
        Boolean discarded = transactions.execute((status) -> {
            int deleted = jdbc.update("DELETE FROM " + tables.outbox() + " WHERE id = ? AND status = 'PARKED'", id);
            if (deleted > 0) {
                // the key's next message may be due now
                jdbc.queryForObject("SELECT 1 FROM (SELECT pg_notify(?, '')) AS notified", Integer.class,
                        tables.channel());
            }
            return deleted > 0;
        });
        return Boolean.TRUE.equals(discarded);
    }
}
