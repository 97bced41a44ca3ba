package dev.reliant.outbox.jdbc;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.reliant.outbox.OutboxMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
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
     * The claim has one good plan at any table size: walk the due-key index in due order and probe the per-key
     * indexes for each key. Outbox tables change faster than statistics follow (a fresh table has none, and a
     * backlog being drained looks nothing like the last sample), and the plans chosen from stale estimates
     * (bitmap scans and sorts of every row, hash joins over the whole table) made a claim take seconds. The claim's
     * statements are also planned afresh on every execution: once the driver has prepared them on the server,
     * PostgreSQL would otherwise switch to a generic plan, costed without the parameters' values, usually on an
     * idle (empty) table, and keep it for the backlog that follows. These settings last until the claim's
     * transaction ends.
     */
    private static final String CLAIM_PLAN = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
            + " set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),"
            + " set_config('enable_sort', 'off', true), set_config('enable_hashjoin', 'off', true),"
            + " set_config('enable_mergejoin', 'off', true)";

    /** The claim's plan settings, and a commit that does not wait for its flush; see {@link #lockOwnKeys}. */
    private static final String SETTLE_PLAN = CLAIM_PLAN + ", set_config('synchronous_commit', 'off', true)";

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transactions;

    private final JsonMapper json;

    private final boolean parkedBlocksKey;

    private final int lockNamespace;

    private final String candidates;

    private final String leaseRuns;

    private final String block;

    private final String defer;

    private final String lockForRetirement;

    private final String retire;

    private final String lockOwnKeys;

    private final String markPublished;

    private final String retryLater;

    private final String park;

    private final String release;

    private final String settleKeys;

    /**
     * @param parkedBlocksKey whether a parked message holds back the later messages of its key
     */
    public RelayStore(JdbcTemplate jdbc, TransactionTemplate transactions, JsonMapper json, OutboxTables tables,
            boolean parkedBlocksKey) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.json = json;
        this.parkedBlocksKey = parkedBlocksKey;
        this.lockNamespace = tables.lockNamespace();
        String table = tables.outbox();
        String keys = tables.keys();
        String firstParked = parkedBlocksKey ? """
                LEFT JOIN LATERAL (SELECT p.seq FROM %1$s p WHERE p.message_key = d.message_key
                                   AND p.status = 'PARKED' ORDER BY p.seq LIMIT 1) p ON true
                """.formatted(table) : "LEFT JOIN LATERAL (SELECT NULL::bigint AS seq) p ON true\n";
        // Due keys are locked, skipping keys another relay is claiming or settling right now, and each brings the
        // run of its next pending messages, read under that lock. A key's lease is its row's due time; whoever
        // holds a key's row lock may change its messages, so claims and settles never lock messages in an order
        // that could cross.
        this.candidates = """
                WITH due AS (
                    SELECT k.message_key FROM %2$s k
                    WHERE k.available_at <= now()
                    ORDER BY k.available_at
                    LIMIT ?
                    FOR UPDATE SKIP LOCKED
                )
                SELECT d.message_key, r.id, r.seq, r.available_at <= now(), p.seq, r.destination, r.type, r.payload,
                    r.headers::text, r.attempts,
                    (extract(epoch FROM (clock_timestamp() - r.created_at)) * 1000)::bigint
                FROM due d
                LEFT JOIN LATERAL (SELECT * FROM %1$s r WHERE r.message_key = d.message_key AND r.status = 'PENDING'
                                   ORDER BY r.seq LIMIT ?) r ON true
                %3$s""".formatted(table, keys, firstParked);
        this.leaseRuns = "WITH leased_keys AS (UPDATE " + keys
                + " SET available_at = now() + ? * interval '1 millisecond', claim_token = ?, claimed_by = ?"
                + " WHERE message_key = ANY(?))"
                + " UPDATE " + table + " SET lease_until = now() + ? * interval '1 millisecond', claim_token = ?"
                + " WHERE id = ANY(?)";
        this.block = "UPDATE " + keys + " SET available_at = 'infinity' WHERE message_key = ANY(?)";
        this.defer = "UPDATE " + keys + " k SET available_at = coalesce((SELECT r.available_at FROM " + table
                + " r WHERE r.message_key = k.message_key AND r.status = 'PENDING' ORDER BY r.seq LIMIT 1), now())"
                + " WHERE k.message_key = ANY(?)";
        // Writers hold their key's advisory lock until they commit: holding it, this transaction's next statement
        // sees every message of the key that will ever be written before the key row is gone, and a writer that
        // comes later adds the row again.
        this.lockForRetirement = "SELECT k FROM unnest(?::text[]) AS k"
                + " WHERE pg_try_advisory_xact_lock(?, hashtext(k))";
        this.retire = "DELETE FROM " + keys + " k WHERE k.message_key = ANY(?) AND NOT EXISTS (SELECT 1 FROM "
                + table + " o WHERE o.message_key = k.message_key AND o.status = 'PENDING')";
        // A key is leased under a token of its own claim, or of the writer that added it and handed its messages
        // to this instance's relay; one settle records batches of both. Holding a key's row, still under the token
        // it was leased with, means no other relay has claimed it since, so its messages are this batch's to record.
        // The settle's later statements get the claim's plan settings: planned generically, the retirement's
        // NOT EXISTS became a hash anti-join over every entry of the pending-key index, which holds the entries of
        // published messages until vacuum, and took milliseconds for one key. The settle's commit need not wait for
        // its flush to disk (synchronous_commit off for this transaction only): a settle lost in a crash of the
        // database server leaves its messages pending and leased, and they are sent again after the lease, as after
        // a crash of the relay; and any later commit that depends on it, such as a writer's that adds a retired
        // key's row anew, flushes it first, as the log is written in order.
        this.lockOwnKeys = "SELECT k.message_key FROM " + keys + " k JOIN unnest(?::text[], ?::uuid[])"
                + " AS v(message_key, token) ON k.message_key = v.message_key AND k.claim_token = v.token"
                + " CROSS JOIN (" + SETTLE_PLAN + ") AS settings"
                + " ORDER BY k.message_key FOR UPDATE OF k";
        this.markPublished = "UPDATE " + table + " SET status = 'PUBLISHED', published_at = now(),"
                + " attempts = attempts + 1, lease_until = NULL, claim_token = NULL, last_error = NULL"
                + " WHERE id = ANY(?) AND message_key = ANY(?) AND status = 'PENDING'";
        this.retryLater = "UPDATE " + table + " SET attempts = attempts + 1,"
                + " available_at = now() + ? * interval '1 millisecond', lease_until = NULL, claim_token = NULL,"
                + " last_error = ? WHERE id = ? AND claim_token = ? AND status = 'PENDING'";
        this.park = "UPDATE " + table + " SET status = 'PARKED', attempts = attempts + 1, lease_until = NULL,"
                + " claim_token = NULL, last_error = ? WHERE id = ? AND claim_token = ? AND status = 'PENDING'";
        this.release = "UPDATE " + table + " SET lease_until = NULL, claim_token = NULL"
                + " WHERE id = ANY(?) AND message_key = ANY(?) AND status = 'PENDING'";
        this.settleKeys = "UPDATE " + keys + " k SET available_at = CASE WHEN v.blocked THEN 'infinity'"
                + " ELSE now() + v.delay * interval '1 millisecond' END, claim_token = NULL, claimed_by = NULL"
                + " FROM unnest(?::text[], ?::bigint[], ?::boolean[]) AS v(message_key, delay, blocked)"
                + " WHERE k.message_key = v.message_key";
    }

    /**
     * Claims up to {@code keys} due keys and, for each, up to {@code perKey} of its next messages, leasing them to
     * {@code token} of {@code instance} for {@code lease}. Due keys that turn out to have nothing to send are put
     * off until their head is due, held back while a parked message blocks them, or retired when they have no
     * pending message left.
     * @return the claimed messages, per key in sequence order
     */
    public List<ClaimedMessage> claim(int keys, int perKey, Duration lease, UUID token, UUID instance) {
        return claim(keys, perKey, lease, token, instance, () -> {
        });
    }

    /**
     * Claims as {@link #claim(int, int, Duration, UUID, UUID)} does, calling {@code dueKeysRead} once the due keys
     * are locked and their runs read, before they are leased and the claim commits: from then on, a claim that starts
     * skips the keys this one holds and finds whatever was committed after it looked.
     */
    public List<ClaimedMessage> claim(int keys, int perKey, Duration lease, UUID token, UUID instance,
            Runnable dueKeysRead) {
        List<ClaimedMessage> claimed = transactions.execute((status) -> {
            jdbc.queryForList(CLAIM_PLAN);
            Map<String, List<Candidate>> byKey = new LinkedHashMap<>();
            jdbc.query(candidates, (RowCallbackHandler) (rs) -> {
                List<Candidate> run = byKey.computeIfAbsent(rs.getString(1), (key) -> new ArrayList<>());
                UUID id = rs.getObject(2, UUID.class);
                if (id != null) {
                    Map<String, String> headers = json.readValue(rs.getString(9), HEADERS);
                    OutboxMessage message = new OutboxMessage(id, rs.getString(6), rs.getString(1),
                            rs.getString(7), rs.getString(8), headers, rs.getInt(10) + 1);
                    long parkedSeq = rs.getLong(5);
                    boolean parkedBefore = !rs.wasNull() && parkedSeq < rs.getLong(3);
                    run.add(new Candidate(new ClaimedMessage(message, rs.getLong(3), rs.getLong(11)),
                            rs.getBoolean(4), parkedBefore));
                }
            }, keys, perKey);
            dueKeysRead.run();
            return take(byKey, lease, token, instance);
        });
        // the relay needs each key's run in sequence order
        claimed.sort(Comparator.comparingLong(ClaimedMessage::seq));
        return claimed;
    }

    private List<ClaimedMessage> take(Map<String, List<Candidate>> byKey, Duration lease, UUID token,
            UUID instance) {
        List<ClaimedMessage> claimed = new ArrayList<>();
        List<String> claimedKeys = new ArrayList<>();
        List<String> blocked = new ArrayList<>();
        List<String> notDue = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        byKey.forEach((key, candidates) -> {
            candidates.sort(Comparator.comparingLong((candidate) -> candidate.message().seq()));
            if (candidates.isEmpty()) {
                empty.add(key);
            }
            else if (candidates.get(0).parkedBefore()) {
                blocked.add(key);
            }
            else if (!candidates.get(0).due()) {
                notDue.add(key);
            }
            else {
                claimedKeys.add(key);
                for (Candidate candidate : candidates) {
                    if (!candidate.due() || candidate.parkedBefore()) {
                        break;
                    }
                    claimed.add(candidate.message());
                }
            }
        });
        if (!claimedKeys.isEmpty()) {
            List<UUID> ids = claimed.stream().map((message) -> message.message().id()).toList();
            jdbc.update(leaseRuns, (ps) -> {
                ps.setLong(1, lease.toMillis());
                ps.setObject(2, token);
                ps.setObject(3, instance);
                ps.setArray(4, texts(ps, claimedKeys));
                ps.setLong(5, lease.toMillis());
                ps.setObject(6, token);
                ps.setArray(7, uuids(ps, ids));
            });
        }
        if (!blocked.isEmpty()) {
            jdbc.update(block, (ps) -> ps.setArray(1, texts(ps, blocked)));
        }
        if (!notDue.isEmpty()) {
            jdbc.update(defer, (ps) -> ps.setArray(1, texts(ps, notDue)));
        }
        retire(empty);
        return claimed;
    }

    /**
     * Deletes the rows of those keys that have no pending message and no writer in the middle of adding one.
     * @return how many were deleted
     */
    private int retire(List<String> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        List<String> locked = jdbc.query(lockForRetirement, (ps) -> {
            ps.setArray(1, texts(ps, keys));
            ps.setInt(2, lockNamespace);
        }, (rs, row) -> rs.getString(1));
        return locked.isEmpty() ? 0 : jdbc.update(retire, (ps) -> ps.setArray(1, texts(ps, locked)));
    }

    /**
     * The plan PostgreSQL would run the claim's search for due keys and their runs with right now, as
     * {@code EXPLAIN} prints it, one line per element: for finding out why a relay is slow.
     */
    public List<String> explainClaim(int keys, int perKey) {
        return transactions.execute((status) -> {
            jdbc.queryForList(CLAIM_PLAN);
            return jdbc.queryForList("EXPLAIN " + candidates, String.class, keys, perKey);
        });
    }

    /**
     * Records what became of a claimed batch, in one transaction. A transient failure (a deadlock, a lock or
     * statement timeout) rolls it back whole and it is tried again a few times, with a short growing pause: the
     * messages are already at the broker, and giving up would leave them leased until the lease runs out, then
     * send them again.
     * @return how many of the batch's keys are due at once for messages of theirs that the batch did not have
     */
    public int complete(Completion completion) {
        Duration pause = FIRST_SETTLE_PAUSE;
        for (int attempt = 1;; attempt++) {
            try {
                return settle(completion);
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

    private int settle(Completion completion) {
        Integer due = transactions.execute((status) -> {
            // Only keys still leased to this batch are touched: a key taken over after the lease ran out, or after
            // this instance was given up for dead, belongs to its new claim, messages and all.
            List<String> keys = new ArrayList<>(completion.tokens().keySet());
            List<UUID> tokens = keys.stream().map(completion.tokens()::get).toList();
            List<String> owned = jdbc.query(lockOwnKeys, (ps) -> {
                ps.setArray(1, texts(ps, keys));
                ps.setArray(2, uuids(ps, tokens));
            }, (rs, row) -> rs.getString(1));
            if (owned.isEmpty()) {
                return 0;
            }
            Set<String> ownedKeys = new HashSet<>(owned);
            if (!completion.published().isEmpty()) {
                jdbc.update(markPublished, (ps) -> {
                    ps.setArray(1, uuids(ps, completion.published()));
                    ps.setArray(2, texts(ps, owned));
                });
            }
            List<Retry> retries = completion.retries().stream().filter((r) -> ownedKeys.contains(r.key())).toList();
            if (!retries.isEmpty()) {
                jdbc.batchUpdate(retryLater, retries, retries.size(), (ps, retry) -> {
                    ps.setLong(1, retry.delay().toMillis());
                    ps.setString(2, retry.error());
                    ps.setObject(3, retry.id());
                    ps.setObject(4, completion.tokens().get(retry.key()));
                });
            }
            List<Park> parks = completion.parks().stream().filter((p) -> ownedKeys.contains(p.key())).toList();
            if (!parks.isEmpty()) {
                jdbc.batchUpdate(park, parks, parks.size(), (ps, parked) -> {
                    ps.setString(1, parked.error());
                    ps.setObject(2, parked.id());
                    ps.setObject(3, completion.tokens().get(parked.key()));
                });
            }
            if (!completion.released().isEmpty()) {
                jdbc.update(release, (ps) -> {
                    ps.setArray(1, uuids(ps, completion.released()));
                    ps.setArray(2, texts(ps, owned));
                });
            }
            Map<String, Long> delays = new HashMap<>();
            retries.forEach((retry) -> delays.put(retry.key(), retry.delay().toMillis()));
            Set<String> parkedKeys = new HashSet<>();
            parks.forEach((parked) -> parkedKeys.add(parked.key()));
            Long[] keyDelays = new Long[owned.size()];
            Boolean[] keyBlocked = new Boolean[owned.size()];
            List<String> done = new ArrayList<>();
            for (int i = 0; i < owned.size(); i++) {
                String key = owned.get(i);
                keyDelays[i] = delays.getOrDefault(key, 0L);
                keyBlocked[i] = parkedBlocksKey && parkedKeys.contains(key);
                if (!delays.containsKey(key) && !parkedKeys.contains(key)) {
                    done.add(key);
                }
            }
            jdbc.update(settleKeys, (ps) -> {
                ps.setArray(1, texts(ps, owned));
                ps.setArray(2, ps.getConnection().createArrayOf("int8", keyDelays));
                ps.setArray(3, ps.getConnection().createArrayOf("bool", keyBlocked));
            });
            return done.size() - retire(done);
        });
        return (due != null) ? due : 0;
    }

    private static Array texts(PreparedStatement ps, Collection<String> values) throws SQLException {
        return ps.getConnection().createArrayOf("text", values.toArray());
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

    /** A message of {@code key} to try again after {@code delay}. */
    public record Retry(UUID id, String key, Duration delay, String error) {
    }

    /** A message of {@code key} to park. */
    public record Park(UUID id, String key, String error) {
    }

    /** A message found for a due key, and whether it may be sent now. */
    private record Candidate(ClaimedMessage message, boolean due, boolean parkedBefore) {
    }

    /**
     * The outcome of a batch.
     * @param tokens the keys of the batch, each with the token it was leased under; the outcome applies only to keys
     * still leased under theirs
     * @param published messages the broker acknowledged
     * @param retries failed messages to try again later
     * @param parks failed messages to park
     * @param released messages not attempted, because an earlier message of their key failed
     */
    public record Completion(Map<String, UUID> tokens, List<UUID> published, List<Retry> retries, List<Park> parks,
            List<UUID> released) {
    }
}
