package dev.reliant.saga.jdbc;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import dev.reliant.saga.SagaFencedException;
import dev.reliant.saga.SagaOptions;
import dev.reliant.saga.SagaState;

import javax.sql.DataSource;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The saga log in PostgreSQL. Every write an owner makes is fenced: it matches the saga row only with the
 * owner's generation, and takes a {@code FOR KEY SHARE} lock on it, which conflicts with the
 * {@code FOR UPDATE SKIP LOCKED} of a takeover. A takeover therefore either happens before the write (and the write
 * matches nothing) or waits for it.
 * <p>
 * Log writes are single statements run outside any transaction the caller is in, so each is committed before
 * the caller goes on; {@link #lockOwned} and {@link #markCompensated} instead join the caller's transaction, the one a
 * compensation runs in, and {@link #complete} joins the caller's business transaction when there is one.
 * <p>
 * A step's result has no statement of its own: it goes with the saga's next write (the next step's intent, the
 * completion, or the start of compensation), so a saga that succeeds costs one statement per step and one to close,
 * and the one to close rides in the business transaction when there is one.
 */
public class JdbcSagaLog {

    private static final int MAX_ERROR_LENGTH = 4000;

    private final JdbcTemplate jdbc;

    private final TransactionTemplate nonTransactional;

    private final String sagas;

    private final String steps;

    public JdbcSagaLog(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, SagaTables tables) {
        this.jdbc = jdbc;
        this.nonTransactional = new TransactionTemplate(transactionManager);
        // every log write is a single statement: outside the caller's transaction, it commits on its own
        this.nonTransactional.setPropagationBehavior(TransactionDefinition.PROPAGATION_NOT_SUPPORTED);
        this.sagas = tables.sagas();
        this.steps = tables.steps();
    }

    /**
     * Records a new saga owned by {@code owner}, generation 1, together with the intent of its first durable step:
     * one statement, since a saga enters the log with its first durable step.
     */
    public SagaRef begin(UUID id, String name, String owner, SagaOptions options, Duration lease, int seq,
            String step, String handler, String arguments) {
        outsideTransaction(() -> jdbc.update("WITH saga AS (INSERT INTO " + sagas
                + " (id, name, state, owner_id, generation, lease_until, parallel, continue_on_error)"
                + " VALUES (?, ?, 'RUNNING', ?, 1, now() + ? * interval '1 millisecond', ?, ?) RETURNING id)"
                + " INSERT INTO " + steps + " (saga_id, seq, name, handler, args, state)"
                + " SELECT id, ?, ?, ?, CAST(? AS jsonb), 'STARTED' FROM saga", id, name, owner, lease.toMillis(),
                options.parallel(), options.continueOnError(), seq, step, handler, arguments));
        return new SagaRef(id, name, 1);
    }

    /**
     * Records a durable step's intent, and the results of the steps that returned since the last write; refused
     * once the saga stopped running under this owner.
     */
    public void recordIntent(SagaRef saga, List<StepResult> results, int seq, String name, String handler,
            String arguments) {
        fenced(saga, () -> jdbc.update(withResults(" AND state = 'RUNNING'") + "INSERT INTO " + steps
                + " (saga_id, seq, name, handler, args, state)"
                + " SELECT id, ?, ?, ?, CAST(? AS jsonb), 'STARTED' FROM owned",
                withResultsArguments(saga, results, seq, name, handler, arguments)));
    }

    public void recordActionFailure(SagaRef saga, int seq, Throwable error) {
        fenced(saga, () -> jdbc.update(ownedUpdate(steps + " s SET state = 'FAILED', last_error = ?,"
                + " updated_at = now()", "s.saga_id = o.id AND s.seq = ?"), saga.id(), saga.generation(),
                describe(error), seq));
    }

    /**
     * Closes the saga as {@link SagaState#COMPLETED}, with the results of its last steps. Inside a transaction on
     * this log's database the write is part of it ({@link #inTransaction()}), so the saga is complete exactly when
     * the caller's business writes commit; otherwise it commits on its own.
     */
    public void complete(SagaRef saga, List<StepResult> results) {
        IntSupplier write = () -> jdbc.update(withResults(" AND state = 'RUNNING'") + "UPDATE " + sagas
                + " s SET state = 'COMPLETED', updated_at = now() FROM owned WHERE s.id = owned.id",
                withResultsArguments(saga, results));
        if (!inTransaction()) {
            fenced(saga, write);
        }
        else if (write.getAsInt() == 0) {
            throw new SagaFencedException(saga.id().toString());
        }
    }

    /** Whether the calling thread is in a transaction on this log's database. */
    public boolean inTransaction() {
        return TransactionSynchronizationManager.isSynchronizationActive()
                && TransactionSynchronizationManager.isActualTransactionActive()
                && TransactionSynchronizationManager.hasResource(dataSource());
    }

    /**
     * Makes the calling thread's transaction on this log's database roll back whatever its owner decides: the
     * business writes of a failed saga must not commit while its steps are compensated.
     */
    public void markTransactionRollbackOnly() {
        TransactionRollback.mark(dataSource());
    }

    private DataSource dataSource() {
        return Objects.requireNonNull(jdbc.getDataSource());
    }

    /**
     * Marks the saga compensating, with the results of the steps that returned since the last write: the
     * compensations read them back from the log.
     */
    public void markCompensating(SagaRef saga, List<StepResult> results, Throwable cause) {
        fenced(saga, () -> jdbc.update(withResults(" AND state IN ('RUNNING', 'COMPENSATING')") + "UPDATE " + sagas
                + " s SET state = 'COMPENSATING', failure = ?, updated_at = now() FROM owned WHERE s.id = owned.id",
                withResultsArguments(saga, results, (cause != null) ? describe(cause) : null)));
    }

    /** Ends a compensation run as {@link SagaState#COMPENSATED} or {@link SagaState#STUCK}. */
    public void finishCompensation(SagaRef saga, SagaState state, String failure) {
        fenced(saga, () -> jdbc.update("UPDATE " + sagas + " SET state = ?, failure = COALESCE(?, failure),"
                + " updated_at = now() WHERE id = ? AND generation = ? AND state = 'COMPENSATING'", state.name(),
                failure, saga.id(), saga.generation()));
    }

    /**
     * Locks the saga for the caller's transaction, proving this owner still holds it: a takeover waits until the
     * transaction ended, and a takeover that already happened makes this throw.
     */
    public void lockOwned(SagaRef saga) {
        List<UUID> owned = jdbc.queryForList("SELECT id FROM " + sagas
                + " WHERE id = ? AND generation = ? AND state = 'COMPENSATING' FOR KEY SHARE", UUID.class, saga.id(),
                saga.generation());
        if (owned.isEmpty()) {
            throw new SagaFencedException(saga.id().toString());
        }
    }

    /**
     * Locks the saga as {@link #lockOwned} does and the step {@code seq} for update, in the caller's transaction,
     * and reads the step as it is now: a compensation retried after a commit whose outcome it did not learn finds
     * the step compensated, and one run after a late action finds the action's result.
     */
    public StepRecord lockStep(SagaRef saga, int seq) {
        List<StepRecord> step = jdbc.query("SELECT st.seq, st.name, st.handler, st.args::text AS args,"
                + " st.result::text AS result, st.state FROM " + sagas + " s JOIN " + steps
                + " st ON st.saga_id = s.id WHERE s.id = ? AND s.generation = ? AND s.state = 'COMPENSATING'"
                + " AND st.seq = ? FOR KEY SHARE OF s FOR UPDATE OF st", STEP, saga.id(), saga.generation(), seq);
        if (step.isEmpty()) {
            throw new SagaFencedException(saga.id().toString());
        }
        return step.get(0);
    }

    /** Marks a step compensated in the caller's transaction, after {@link #lockStep}. */
    public void markCompensated(SagaRef saga, int seq) {
        jdbc.update("UPDATE " + steps + " SET state = 'COMPENSATED', attempts = attempts + 1, last_error = NULL,"
                + " updated_at = now() WHERE saga_id = ? AND seq = ?", saga.id(), seq);
    }

    public void recordCompensationFailure(SagaRef saga, int seq, int attempts, Throwable error) {
        fenced(saga, () -> jdbc.update(ownedUpdate(steps + " s SET attempts = s.attempts + ?, last_error = ?,"
                + " updated_at = now()", "s.saga_id = o.id AND s.seq = ?"), saga.id(), saga.generation(),
                attempts, describe(error), seq));
    }

    /** The steps still to compensate, last first. */
    public List<StepRecord> uncompensatedSteps(UUID sagaId) {
        return jdbc.query("SELECT seq, name, handler, args::text AS args, result::text AS result, state FROM "
                + steps + " WHERE saga_id = ? AND state <> 'COMPENSATED' ORDER BY seq DESC", STEP, sagaId);
    }

    /**
     * Takes over up to {@code limit} sagas whose owner's lease ran out, skipping those another process is
     * claiming or writing to. Each gets a new generation, which fences the previous owner out.
     */
    public List<ClaimedSaga> claimOrphans(String owner, int limit, Duration lease) {
        return outsideTransaction(() -> jdbc.query("UPDATE " + sagas + " s SET state = 'COMPENSATING', owner_id = ?,"
                + " generation = s.generation + 1, lease_until = now() + ? * interval '1 millisecond',"
                + " updated_at = now() WHERE s.id IN (SELECT id FROM " + sagas
                + " WHERE state IN ('RUNNING', 'COMPENSATING') AND lease_until < now() ORDER BY lease_until"
                + " LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " RETURNING s.id, s.name, s.generation, s.parallel, s.continue_on_error", CLAIMED, owner,
                lease.toMillis(), limit));
    }

    /** Whether the saga still runs under this owner's generation: not taken over, not compensating. */
    public boolean isRunning(SagaRef saga) {
        return outsideTransaction(() -> jdbc.queryForObject("SELECT count(*) FROM " + sagas
                + " WHERE id = ? AND generation = ? AND state = 'RUNNING'", Integer.class, saga.id(),
                saga.generation())) > 0;
    }

    /**
     * Reopens a step whose action ended after the saga had been taken over, so that it is compensated again
     * knowing how the action ended ({@code state} {@link StepState#DONE} with its result, or
     * {@link StepState#FAILED}), and takes the saga over for that: a new generation for {@code owner}, which
     * fences out whoever was compensating it. Waits for a compensation in flight to commit first. Empty when the
     * saga is no longer being or done being compensated (resolved by an operator, or deleted).
     */
    public Optional<ClaimedSaga> reopenLateStep(SagaRef saga, int seq, StepState state, String result, String owner,
            Duration lease) {
        return outsideTransaction(() -> jdbc.query("WITH taken AS (SELECT id FROM " + sagas
                + " WHERE id = ? AND state IN ('COMPENSATING', 'COMPENSATED', 'STUCK') FOR UPDATE),"
                + " reopened AS (UPDATE " + steps + " st SET state = ?, result = CAST(? AS jsonb), updated_at = now()"
                + " FROM taken WHERE st.saga_id = taken.id AND st.seq = ? RETURNING st.saga_id)"
                + " UPDATE " + sagas + " s SET state = 'COMPENSATING', owner_id = ?, generation = s.generation + 1,"
                + " lease_until = now() + ? * interval '1 millisecond', updated_at = now() FROM reopened"
                + " WHERE s.id = reopened.saga_id"
                + " RETURNING s.id, s.name, s.generation, s.parallel, s.continue_on_error", CLAIMED, saga.id(),
                state.name(), result, seq, owner, lease.toMillis())).stream().findFirst();
    }

    /**
     * Lets the saga's lease run out now, so that a recovery worker takes the saga over at its next pass rather
     * than a lease later; does nothing once another process took it over.
     */
    public void releaseLease(SagaRef saga) {
        outsideTransaction(() -> jdbc.update("UPDATE " + sagas + " SET lease_until = now() WHERE id = ?"
                + " AND generation = ? AND state IN ('RUNNING', 'COMPENSATING')", saga.id(), saga.generation()));
    }

    /** Takes a stuck saga back for another compensation run, as an operator asked. */
    public Optional<ClaimedSaga> claimStuck(UUID id, String owner, Duration lease) {
        return outsideTransaction(() -> jdbc.query("UPDATE " + sagas + " s SET state = 'COMPENSATING', owner_id = ?,"
                + " generation = s.generation + 1, lease_until = now() + ? * interval '1 millisecond',"
                + " updated_at = now() WHERE s.id = ? AND s.state = 'STUCK'"
                + " RETURNING s.id, s.name, s.generation, s.parallel, s.continue_on_error", CLAIMED, owner,
                lease.toMillis(), id)).stream().findFirst();
    }

    /** Declares a stuck saga handled by hand. */
    public boolean resolve(UUID id) {
        return outsideTransaction(() -> jdbc.update("UPDATE " + sagas
                + " SET state = 'RESOLVED', updated_at = now() WHERE id = ? AND state = 'STUCK'", id)) == 1;
    }

    /**
     * Extends the lease of the given owned sagas and returns those still owned; the others were taken over.
     */
    public Set<UUID> renewLeases(String owner, Map<UUID, Long> generations, Duration lease) {
        if (generations.isEmpty()) {
            return Set.of();
        }
        UUID[] ids = new UUID[generations.size()];
        Long[] gens = new Long[generations.size()];
        int i = 0;
        for (Map.Entry<UUID, Long> entry : generations.entrySet()) {
            ids[i] = entry.getKey();
            gens[i++] = entry.getValue();
        }
        List<UUID> renewed = outsideTransaction(() -> jdbc.execute((ConnectionCallback<List<UUID>>) connection -> {
            Array idArray = connection.createArrayOf("uuid", ids);
            Array genArray = connection.createArrayOf("bigint", gens);
            return renew(connection, owner, idArray, genArray, lease);
        }));
        return new HashSet<>(renewed);
    }

    private List<UUID> renew(Connection connection, String owner, Array ids, Array generations, Duration lease)
            throws SQLException {
        try (var statement = connection.prepareStatement("UPDATE " + sagas
                + " s SET lease_until = now() + ? * interval '1 millisecond' FROM unnest(?::uuid[], ?::bigint[])"
                + " AS o(id, generation) WHERE s.id = o.id AND s.generation = o.generation AND s.owner_id = ?"
                + " AND s.state IN ('RUNNING', 'COMPENSATING') RETURNING s.id")) {
            statement.setLong(1, lease.toMillis());
            statement.setArray(2, ids);
            statement.setArray(3, generations);
            statement.setString(4, owner);
            List<UUID> renewed = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    renewed.add(rows.getObject(1, UUID.class));
                }
            }
            return renewed;
        }
    }

    public List<SagaSummary> list(SagaState state, int limit) {
        return jdbc.query("SELECT id, name, state, owner_id, generation, failure, created_at, updated_at FROM " + sagas
                + " WHERE state = ? ORDER BY updated_at LIMIT ?", SUMMARY, state.name(), limit);
    }

    public Optional<SagaSummary> find(UUID id) {
        return jdbc.query("SELECT id, name, state, owner_id, generation, failure, created_at, updated_at FROM " + sagas
                + " WHERE id = ?", SUMMARY, id).stream().findFirst();
    }

    public long count(SagaState state) {
        Long count = jdbc.queryForObject("SELECT count(*) FROM " + sagas + " WHERE state = ?", Long.class,
                state.name());
        return (count != null) ? count : 0;
    }

    /** Deletes up to {@code limit} finished sagas unchanged for {@code retention}, by the database clock. */
    public int deleteFinished(Duration retention, int limit) {
        return outsideTransaction(() -> jdbc.update("DELETE FROM " + sagas + " WHERE id IN (SELECT id FROM " + sagas
                + " WHERE state IN ('COMPLETED', 'COMPENSATED', 'RESOLVED')"
                + " AND updated_at < now() - ? * interval '1 millisecond' LIMIT ? FOR UPDATE SKIP LOCKED)",
                retention.toMillis(), limit));
    }

    /**
     * The start of a statement that holds the saga row locked as {@code owned} under this owner's generation (and
     * {@code ownedState}) and writes the given step results under that lock: a fenced statement writes none of
     * them. Binds id, generation, the results' seqs and JSON first, see {@link #withResultsArguments}.
     */
    private String withResults(String ownedState) {
        return "WITH owned AS (SELECT id FROM " + sagas + " WHERE id = ? AND generation = ?" + ownedState
                + " FOR KEY SHARE), done AS (UPDATE " + steps + " s SET state = 'DONE',"
                + " result = CAST(r.json AS jsonb), updated_at = now() FROM owned,"
                + " unnest(CAST(? AS int[]), CAST(? AS text[])) AS r(seq, json)"
                + " WHERE s.saga_id = owned.id AND s.seq = r.seq) ";
    }

    private static Object[] withResultsArguments(SagaRef saga, List<StepResult> results, Object... more) {
        Object[] arguments = new Object[4 + more.length];
        arguments[0] = saga.id();
        arguments[1] = saga.generation();
        arguments[2] = results.stream().map(StepResult::seq).toArray(Integer[]::new);
        arguments[3] = results.stream().map(StepResult::json).toArray(String[]::new);
        System.arraycopy(more, 0, arguments, 4, more.length);
        return arguments;
    }

    /** An update joined to the saga row locked under this owner's generation; binds id and generation first. */
    private String ownedUpdate(String tableAndSet, String join) {
        return "WITH o AS (SELECT id FROM " + sagas + " WHERE id = ? AND generation = ? FOR KEY SHARE) UPDATE "
                + tableAndSet + " FROM o WHERE " + join;
    }

    private void fenced(SagaRef saga, IntSupplier write) {
        int rows = outsideTransaction(write::getAsInt);
        if (rows == 0) {
            throw new SagaFencedException(saga.id().toString());
        }
    }

    private <T> T outsideTransaction(Supplier<T> work) {
        return nonTransactional.execute(status -> work.get());
    }

    private static String describe(Throwable error) {
        String text = error.getClass().getName() + ": " + error.getMessage();
        return (text.length() > MAX_ERROR_LENGTH) ? text.substring(0, MAX_ERROR_LENGTH) : text;
    }

    private static final RowMapper<StepRecord> STEP = (rs, row) -> new StepRecord(rs.getInt("seq"),
            rs.getString("name"), rs.getString("handler"), rs.getString("args"), rs.getString("result"),
            StepState.valueOf(rs.getString("state")));

    private static final RowMapper<ClaimedSaga> CLAIMED = (rs, row) -> new ClaimedSaga(
            new SagaRef(rs.getObject("id", UUID.class), rs.getString("name"), rs.getLong("generation")),
            new SagaOptions(rs.getBoolean("parallel"), rs.getBoolean("continue_on_error")));

    private static final RowMapper<SagaSummary> SUMMARY = (rs, row) -> new SagaSummary(rs.getObject("id", UUID.class),
            rs.getString("name"), SagaState.valueOf(rs.getString("state")), rs.getString("owner_id"),
            rs.getLong("generation"), rs.getString("failure"), rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("updated_at").toInstant());

}
