package dev.reliant.outbox.jdbc;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reliant.outbox.OutboxMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The relay's statements. Each method is one short transaction; none is ever open while a broker is called.
 * All times (due times, leases, ages) come from the database clock, so instances with skewed clocks agree.
 */
public class RelayStore {

    private static final Logger log = LoggerFactory.getLogger(RelayStore.class);

    private static final int SETTLE_ATTEMPTS = 5;

    private static final Duration FIRST_SETTLE_PAUSE = Duration.ofMillis(50);

    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };

    /**
     * The claim has one good plan at any table size: walk the pending index in sequence order and probe the key
     * indexes per row. Outbox tables change faster than statistics follow (a fresh table has none, and a backlog
     * being drained looks nothing like the last sample), and the plans chosen from stale estimates (bitmap scans
     * and sorts of every pending row, hash anti-joins over the whole table) made a claim take seconds instead of
     * milliseconds. These settings last until the claim's transaction ends.
     */
    private static final String INDEX_ONLY_PLAN = "SELECT set_config('enable_seqscan', 'off', true),"
            + " set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true),"
            + " set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)";

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transactions;

    private final JsonMapper json;

    private final String claim;

    private final String markPublished;

    private final String retryLater;

    private final String park;

    private final String release;

    /**
     * @param parkedBlocksKey whether a parked message holds back the later messages of its key
     */
    public RelayStore(JdbcTemplate jdbc, TransactionTemplate transactions, JsonMapper json, OutboxTables tables,
            boolean parkedBlocksKey) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.json = json;
        String table = tables.outbox();
        String parkedBlocks = parkedBlocksKey ? """
                      AND NOT EXISTS (SELECT 1 FROM %1$s p WHERE p.message_key = o.message_key
                                      AND p.seq < o.seq AND p.status = 'PARKED')
                """.formatted(table) : "";
        // A key's head is its lowest unpublished message. Only heads are claimed (locked, skipping rows another
        // instance is claiming right now); each head brings the run of its key's next pending messages, and all
        // of them are leased. While any of them is unpublished, no other row of the key can be a head.
        this.claim = """
                WITH heads AS (
                    SELECT o.message_key, o.seq FROM %1$s o
                    WHERE o.status = 'PENDING' AND o.available_at <= now()
                      AND (o.lease_until IS NULL OR o.lease_until < now())
                      AND NOT EXISTS (SELECT 1 FROM %1$s e WHERE e.message_key = o.message_key
                                      AND e.seq < o.seq AND e.status = 'PENDING')
                %2$s    ORDER BY o.seq
                    LIMIT ?
                    FOR UPDATE OF o SKIP LOCKED
                ), run AS (
                    SELECT f.id FROM heads h CROSS JOIN LATERAL (
                        SELECT r.id FROM %1$s r
                        WHERE r.message_key = h.message_key AND r.seq >= h.seq AND r.status = 'PENDING'
                        ORDER BY r.seq LIMIT ?) f
                )
                UPDATE %1$s t SET lease_until = now() + ? * interval '1 millisecond', claim_token = ?
                FROM run WHERE t.id = run.id
                RETURNING t.id, t.seq, t.destination, t.message_key, t.type, t.payload, t.headers::text, t.attempts,
                    (extract(epoch FROM (clock_timestamp() - t.created_at)) * 1000)::bigint AS age_ms
                """.formatted(table, parkedBlocks);
        this.markPublished = "UPDATE " + table + " SET status = 'PUBLISHED', published_at = now(),"
                + " attempts = attempts + 1, lease_until = NULL, claim_token = NULL, last_error = NULL"
                + " WHERE id = ANY(?) AND status = 'PENDING'";
        this.retryLater = "UPDATE " + table + " SET attempts = attempts + 1,"
                + " available_at = now() + ? * interval '1 millisecond', lease_until = NULL, claim_token = NULL,"
                + " last_error = ? WHERE id = ? AND claim_token = ? AND status = 'PENDING'";
        this.park = "UPDATE " + table + " SET status = 'PARKED', attempts = attempts + 1, lease_until = NULL,"
                + " claim_token = NULL, last_error = ? WHERE id = ? AND claim_token = ? AND status = 'PENDING'";
        this.release = "UPDATE " + table + " SET lease_until = NULL, claim_token = NULL"
                + " WHERE id = ANY(?) AND claim_token = ? AND status = 'PENDING'";
    }

    /**
     * Claims up to {@code keys} due keys and, for each, up to {@code perKey} of its next messages, leasing them to
     * {@code token} for {@code lease}.
     * @return the claimed messages, per key in sequence order
     */
    public List<ClaimedMessage> claim(int keys, int perKey, Duration lease, UUID token) {
        List<ClaimedMessage> claimed = transactions.execute((status) -> {
            jdbc.queryForList(INDEX_ONLY_PLAN);
            return jdbc.query(claim, (rs, row) -> {
                Map<String, String> headers = json.readValue(rs.getString(7), HEADERS);
                OutboxMessage message = new OutboxMessage(rs.getObject(1, UUID.class), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), headers, rs.getInt(8) + 1);
                return new ClaimedMessage(message, rs.getLong(2), rs.getLong(9));
            }, keys, perKey, lease.toMillis(), token);
        });
        // RETURNING gives no order; the relay needs each key's run in sequence order
        claimed.sort(Comparator.comparingLong(ClaimedMessage::seq));
        return claimed;
    }

    /**
     * The plan PostgreSQL would run the claim with right now, as {@code EXPLAIN} prints it, one line per element:
     * for finding out why a relay is slow.
     */
    public List<String> explainClaim(int keys, int perKey) {
        return transactions.execute((status) -> {
            jdbc.queryForList(INDEX_ONLY_PLAN);
            return jdbc.queryForList("EXPLAIN " + claim, String.class, keys, perKey, 0L, new UUID(0, 0));
        });
    }

    /**
     * Records what became of a claimed batch, in one transaction. A transient failure (a deadlock, a lock or
     * statement timeout) rolls it back whole and it is tried again a few times, with a short growing pause: the
     * messages are already at the broker, and giving up would leave them leased until the lease runs out, then
     * send them again.
     */
    public void complete(Completion completion) {
        Duration pause = FIRST_SETTLE_PAUSE;
        for (int attempt = 1;; attempt++) {
            try {
                settle(completion);
                return;
            }
            catch (TransientDataAccessException ex) {
                if (attempt == SETTLE_ATTEMPTS) {
                    throw ex;
                }
                log.debug("Recording the outcome of an outbox batch failed; trying again in {}", pause, ex);
                try {
                    Thread.sleep(pause.toMillis());
                }
                catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw ex;
                }
                pause = pause.multipliedBy(2);
            }
        }
    }

    private void settle(Completion completion) {
        transactions.executeWithoutResult((status) -> {
            if (!completion.published().isEmpty()) {
                jdbc.update(markPublished, (ps) -> ps.setArray(1, uuids(ps, completion.published())));
            }
            if (!completion.retries().isEmpty()) {
                jdbc.batchUpdate(retryLater, completion.retries(), completion.retries().size(), (ps, retry) -> {
                    ps.setLong(1, retry.delay().toMillis());
                    ps.setString(2, retry.error());
                    ps.setObject(3, retry.id());
                    ps.setObject(4, completion.token());
                });
            }
            if (!completion.parks().isEmpty()) {
                jdbc.batchUpdate(park, completion.parks(), completion.parks().size(), (ps, parked) -> {
                    ps.setString(1, parked.error());
                    ps.setObject(2, parked.id());
                    ps.setObject(3, completion.token());
                });
            }
            if (!completion.released().isEmpty()) {
                jdbc.update(release, (ps) -> {
                    ps.setArray(1, uuids(ps, completion.released()));
                    ps.setObject(2, completion.token());
                });
            }
        });
    }

    private static Array uuids(PreparedStatement ps, Collection<UUID> ids) throws SQLException {
        return ps.getConnection().createArrayOf("uuid", ids.toArray());
    }

    /**
     * A claimed message.
     * @param message the message as handed to the publisher
     * @param seq its position in commit order
     * @param ageMillis how long ago it was written, by the database clock
     */
    public record ClaimedMessage(OutboxMessage message, long seq, long ageMillis) {
    }

    /** A message to try again after {@code delay}. */
    public record Retry(UUID id, Duration delay, String error) {
    }

    /** A message to park. */
    public record Park(UUID id, String error) {
    }

    /**
     * The outcome of a batch.
     * @param token the claim token of the batch; failures and releases apply only to rows still leased to it
     * @param published messages the broker acknowledged
     * @param retries failed messages to try again later
     * @param parks failed messages to park
     * @param released messages not attempted, because an earlier message of their key failed
     */
    public record Completion(UUID token, List<UUID> published, List<Retry> retries, List<Park> parks,
            List<UUID> released) {
    }
}
