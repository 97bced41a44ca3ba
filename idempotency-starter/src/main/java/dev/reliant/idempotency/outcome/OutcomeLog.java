package dev.reliant.idempotency.outcome;

import java.time.Duration;
import java.util.Optional;

import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.codec.ResponseCodec;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * The durable outcomes of idempotent requests, in a table of the application's own database. An outcome is written
 * on the connection of the request's transaction, so it commits exactly when the handler's business writes do; the
 * primary key makes a second commit for the same live key fail, which rolls the second run's business writes back.
 * Every decision uses the database clock.
 */
public class OutcomeLog {

    private final JdbcTemplate jdbc;

    private final String recordSql;

    private final String findSql;

    private final String deleteSql;

    private final String purgeSql;

    public OutcomeLog(JdbcTemplate jdbc, String table) {
        this.jdbc = jdbc;
        this.recordSql = """
                INSERT INTO %1$s (storage_key, state, fingerprint, response, expires_at)
                VALUES (?, ?, ?, ?, now() + ? * interval '1 millisecond')
                ON CONFLICT (storage_key) DO UPDATE
                    SET state = EXCLUDED.state, fingerprint = EXCLUDED.fingerprint, response = EXCLUDED.response,
                        expires_at = EXCLUDED.expires_at
                    WHERE %1$s.expires_at <= now()""".formatted(table);
        this.findSql = "SELECT state, fingerprint, response, expires_at FROM %s WHERE storage_key = ? AND expires_at > now()"
            .formatted(table);
        this.deleteSql = "DELETE FROM %s WHERE storage_key = ?".formatted(table);
        // The outer predicate is re-checked on the row version being deleted, so a row renewed after the subquery's
        // snapshot survives.
        this.purgeSql = ("DELETE FROM %1$s WHERE storage_key IN (SELECT storage_key FROM %1$s WHERE expires_at <= now()"
                + " LIMIT ?) AND expires_at <= now()").formatted(table);
    }

    /**
     * Records a request's outcome in the caller's transaction.
     * @throws OutcomeConflictException when a live outcome of the key exists already: another run of the request
     * committed first, and the caller's transaction must roll back
     */
    public void record(String storageKey, String fingerprint, RecordState state, StoredResponse response,
            Duration retention) {
        int rows = jdbc.update(recordSql, storageKey, state.name(), fingerprint, ResponseCodec.encode(response),
                retention.toMillis());
        if (rows != 1) {
            throw new OutcomeConflictException(storageKey);
        }
    }

    /** The live outcome of a key; its owner is {@code owner}, the token of the request that asks. */
    public Optional<IdempotencyRecord> find(String storageKey, String owner) {
        RowMapper<IdempotencyRecord> mapper = (rs, row) -> {
            byte[] response = rs.getBytes("response");
            return new IdempotencyRecord(RecordState.valueOf(rs.getString("state")), owner,
                    rs.getString("fingerprint"), (response != null) ? ResponseCodec.decode(response) : null,
                    rs.getObject("expires_at", java.time.OffsetDateTime.class).toInstant());
        };
        return jdbc.query(findSql, mapper, storageKey).stream().findFirst();
    }

    /** Forgets a key's outcome, as an operator asked; true when there was one. */
    public boolean delete(String storageKey) {
        return jdbc.update(deleteSql, storageKey) == 1;
    }

    /** Deletes up to {@code batchSize} expired outcomes; returns how many went. */
    public int purgeExpired(int batchSize) {
        return jdbc.update(purgeSql, batchSize);
    }
}
