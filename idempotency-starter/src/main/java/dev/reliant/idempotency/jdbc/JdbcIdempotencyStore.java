package dev.reliant.idempotency.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.Eviction;
import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.codec.ResponseCodec;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * Records in a PostgreSQL table, for applications without Redis. A row's {@code expires_at} is the end of its life
 * in every state (the retention, counted from the claim while in progress); an in-progress row's lease ends at
 * {@code lease_until}. Every decision uses the database clock, so instances with skewed clocks agree on when a
 * lease ran out. Statements run on the given executor so that a caller can stop waiting for a database that
 * hangs; a statement the executor refuses fails its call.
 */
public class JdbcIdempotencyStore implements IdempotencyStore {

    private static final int CLAIM_ATTEMPTS = 5;

    /** An in-progress record's expiry is its lease end; the row's own expiry is the end of its life. */
    private static final String RECORD_COLUMNS = "state, owner_token, fingerprint, response, "
            + "CASE WHEN state = 'IN_PROGRESS' THEN lease_until ELSE expires_at END AS expires_at";

    private final JdbcTemplate jdbc;

    private final Executor executor;

    private final String claimSql;

    private final String findSql;

    private final String renewSql;

    private final String completeSql;

    private final String releaseSql;

    private final String evictSql;

    private final String purgeSql;

    public JdbcIdempotencyStore(JdbcTemplate jdbc, Executor executor, String table) {
        this.jdbc = jdbc;
        this.executor = executor;
        // One round trip either way: the insert claims a free (or expired) key or takes over a lapsed claim, and
        // when it claimed nothing the same statement reads the record that holds the key, as of the statement's
        // start. A takeover is told by the old row's life: an update of a row that was still alive can only have
        // been a takeover of its lapsed lease.
        this.claimSql = """
                WITH claimed AS (
                    INSERT INTO %1$s (storage_key, state, owner_token, fingerprint, lease_until, expires_at,
                        taken_over)
                    VALUES (?, 'IN_PROGRESS', ?, ?, now() + ? * interval '1 millisecond',
                        now() + ? * interval '1 millisecond', false)
                    ON CONFLICT (storage_key) DO UPDATE
                        SET state = EXCLUDED.state, owner_token = EXCLUDED.owner_token,
                            fingerprint = EXCLUDED.fingerprint, lease_until = EXCLUDED.lease_until,
                            expires_at = EXCLUDED.expires_at, response = NULL,
                            taken_over = %1$s.expires_at > now()
                        WHERE %1$s.expires_at <= now()
                            OR (%1$s.state = 'IN_PROGRESS' AND %1$s.lease_until <= now())
                    RETURNING taken_over)
                SELECT true AS claimed, taken_over, NULL AS state, NULL AS owner_token, NULL AS fingerprint,
                    NULL::bytea AS response, NULL::timestamptz AS expires_at FROM claimed
                UNION ALL
                SELECT false, false, %2$s FROM %1$s
                WHERE storage_key = ? AND expires_at > now() AND NOT (state = 'IN_PROGRESS' AND lease_until <= now())
                    AND NOT EXISTS (SELECT 1 FROM claimed)""".formatted(table, RECORD_COLUMNS);
        this.findSql = "SELECT %s FROM %s WHERE storage_key = ? AND expires_at > now()".formatted(RECORD_COLUMNS,
                table);
        // Fenced by owner and state only: the owner keeps a record whose lease lapsed until someone takes it over.
        String held = " WHERE storage_key = ? AND owner_token = ? AND state = 'IN_PROGRESS' AND expires_at > now()";
        this.renewSql = ("UPDATE %s SET lease_until = now() + ? * interval '1 millisecond', "
                + "expires_at = GREATEST(expires_at, now() + ? * interval '1 millisecond')").formatted(table) + held;
        this.completeSql = ("UPDATE %s SET state = ?, fingerprint = ?, response = ?, lease_until = NULL, "
                + "expires_at = now() + ? * interval '1 millisecond'").formatted(table) + held;
        this.releaseSql = "DELETE FROM %s".formatted(table) + held;
        // The outer SELECT reads the table as of the statement's start, before the DELETE: a live row that was not
        // deleted is one in progress (or one a claim had just taken over, which the DELETE re-checked and spared).
        this.evictSql = """
                WITH evicted AS (
                    DELETE FROM %1$s WHERE storage_key = ? AND expires_at > now() AND (? OR state <> 'IN_PROGRESS')
                    RETURNING 1)
                SELECT EXISTS (SELECT 1 FROM evicted) AS evicted,
                    EXISTS (SELECT 1 FROM %1$s WHERE storage_key = ? AND expires_at > now()) AS live""".formatted(table);
        // The outer predicate is not redundant: a claim may take an expired row over after the subquery read it,
        // and PostgreSQL then re-checks only the outer query's conditions on the new row version, not the
        // subquery's; without it the cleanup would delete the new claim.
        this.purgeSql = ("DELETE FROM %1$s WHERE storage_key IN "
                + "(SELECT storage_key FROM %1$s WHERE expires_at <= now() LIMIT ?) AND expires_at <= now()")
            .formatted(table);
    }

    @Override
    public CompletableFuture<ClaimResult> claim(String key, String owner, String fingerprint, Duration lease,
            Duration retention) {
        long life = Math.max(lease.toMillis(), retention.toMillis());
        return async(() -> {
            // A record committed by another request after this statement began holds the key but is not visible
            // to it, and a record can expire and be purged in between: the next attempt sees either.
            for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
                List<ClaimResult> results = jdbc.query(claimSql, (rs, row) -> {
                    if (!rs.getBoolean("claimed")) {
                        return ClaimResult.existing(RECORD.mapRow(rs, row));
                    }
                    return rs.getBoolean("taken_over") ? ClaimResult.takenOver() : ClaimResult.claimed();
                }, key, owner, fingerprint, lease.toMillis(), life, key);
                if (!results.isEmpty()) {
                    return results.get(0);
                }
            }
            throw new IllegalStateException("Key " + key + " kept changing while being claimed");
        });
    }

    @Override
    public CompletableFuture<Boolean> renew(String key, String owner, Duration lease) {
        return async(() -> jdbc.update(renewSql, lease.toMillis(), lease.toMillis(), key, owner) == 1);
    }

    @Override
    public CompletableFuture<Boolean> complete(String key, String owner, String fingerprint, RecordState state,
            StoredResponse response, Duration retention) {
        return async(() -> jdbc.update(completeSql, state.name(), fingerprint, ResponseCodec.encode(response),
                retention.toMillis(), key, owner) == 1);
    }

    @Override
    public CompletableFuture<Boolean> release(String key, String owner) {
        return async(() -> jdbc.update(releaseSql, key, owner) == 1);
    }

    @Override
    public CompletableFuture<Optional<IdempotencyRecord>> find(String key) {
        return async(() -> read(key));
    }

    @Override
    public CompletableFuture<Eviction> evict(String key, boolean inProgressToo) {
        return async(() -> jdbc.queryForObject(evictSql, (rs, row) -> {
            if (rs.getBoolean("evicted")) {
                return Eviction.EVICTED;
            }
            return rs.getBoolean("live") ? Eviction.IN_PROGRESS : Eviction.ABSENT;
        }, key, inProgressToo, key));
    }

    /** Deletes up to {@code batchSize} expired records; returns how many went. */
    public int purgeExpired(int batchSize) {
        return jdbc.update(purgeSql, batchSize);
    }

    private Optional<IdempotencyRecord> read(String key) {
        return jdbc.query(findSql, RECORD, key).stream().findFirst();
    }

    private <T> CompletableFuture<T> async(Supplier<T> statement) {
        try {
            return CompletableFuture.supplyAsync(statement, executor);
        }
        catch (RejectedExecutionException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private static final RowMapper<IdempotencyRecord> RECORD = (ResultSet rs, int row) -> {
        RecordState state = RecordState.valueOf(rs.getString("state"));
        byte[] response = rs.getBytes("response");
        return new IdempotencyRecord(state, rs.getString("owner_token"), rs.getString("fingerprint"),
                (response != null) ? ResponseCodec.decode(response) : null, instant(rs));
    };

    private static java.time.Instant instant(ResultSet rs) throws SQLException {
        return rs.getObject("expires_at", java.time.OffsetDateTime.class).toInstant();
    }
}
