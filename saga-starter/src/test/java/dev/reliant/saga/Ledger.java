package dev.reliant.saga;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * An idempotent participant: reservations made by step actions and released by compensations, each release
 * recorded under its idempotency key with a count of deliveries and the step result its compensation was given.
 * Faults can be injected per step name.
 */
public class Ledger {

    public static final String SCHEMA = """
            CREATE TABLE reservations (saga_id VARCHAR(64) NOT NULL, step VARCHAR(64) NOT NULL,
                PRIMARY KEY (saga_id, step));
            CREATE TABLE releases (idempotency_key VARCHAR(200) PRIMARY KEY, saga_id VARCHAR(64) NOT NULL,
                step VARCHAR(64) NOT NULL, item VARCHAR(64), result VARCHAR(64), deliveries INT NOT NULL,
                in_transaction BOOLEAN NOT NULL, attempt INT NOT NULL, seq BIGSERIAL)
            """;

    private final JdbcTemplate jdbc;

    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();

    private final Hook hook;

    public Ledger(JdbcTemplate jdbc) {
        this(jdbc, (context, phase) -> {
        });
    }

    public Ledger(JdbcTemplate jdbc, Hook hook) {
        this.jdbc = jdbc;
        this.hook = hook;
    }

    public static void createTables(JdbcTemplate jdbc) {
        for (String statement : SCHEMA.split(";")) {
            jdbc.execute(statement);
        }
    }

    public String reserve(String sagaId, String step) {
        jdbc.update("INSERT INTO reservations (saga_id, step) VALUES (?, ?)", sagaId, step);
        return step;
    }

    @Compensation("release")
    public void release(String item, CompensationContext context) {
        AtomicInteger left = failuresLeft.get(context.stepName());
        if (left != null && left.getAndDecrement() > 0) {
            throw new IllegalStateException("Injected fault in " + context.idempotencyKey());
        }
        hook.reached(context, Phase.BEFORE_EFFECT);
        jdbc.update("DELETE FROM reservations WHERE saga_id = ? AND step = ?", context.sagaId(), context.stepName());
        jdbc.update("INSERT INTO releases (idempotency_key, saga_id, step, item, result, deliveries, in_transaction,"
                + " attempt) VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (idempotency_key)"
                + " DO UPDATE SET deliveries = releases.deliveries + 1, result = COALESCE(EXCLUDED.result,"
                + " releases.result)", context.idempotencyKey(), context.sagaId(),
                context.stepName(), item, context.result(String.class).orElse(null),
                TransactionSynchronizationManager.isActualTransactionActive(), context.attempt());
        hook.reached(context, Phase.AFTER_EFFECT);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

                @Override
                public void afterCommit() {
                    hook.reached(context, Phase.AFTER_COMMIT);
                }

            });
        }
    }

    /** The next {@code times} calls for {@code step} fail. */
    public void failNext(String step, int times) {
        failuresLeft.put(step, new AtomicInteger(times));
    }

    public void heal(String step) {
        failuresLeft.remove(step);
    }

    /** Steps released for a saga, in the order their releases committed. */
    public List<String> released(String sagaId) {
        return jdbc.queryForList("SELECT step FROM releases WHERE saga_id = ? ORDER BY seq", String.class, sagaId);
    }

    /** The result each released step's compensation was given, by step; absent when it was given none. */
    public Map<String, String> resultsGiven(String sagaId) {
        Map<String, String> given = new TreeMap<>();
        jdbc.query("SELECT step, result FROM releases WHERE saga_id = ? AND result IS NOT NULL", row -> {
            given.put(row.getString("step"), row.getString("result"));
        }, sagaId);
        return given;
    }

    public int deliveries(String sagaId, String step) {
        List<Integer> rows = jdbc.queryForList("SELECT deliveries FROM releases WHERE saga_id = ? AND step = ?",
                Integer.class, sagaId, step);
        return rows.isEmpty() ? 0 : rows.get(0);
    }

    public List<String> reserved(String sagaId) {
        return jdbc.queryForList("SELECT step FROM reservations WHERE saga_id = ? ORDER BY step", String.class,
                sagaId);
    }

    /** Where a release is. */
    public enum Phase {

        BEFORE_EFFECT, AFTER_EFFECT, AFTER_COMMIT

    }

    /** Called as a release goes through its phases. */
    @FunctionalInterface
    public interface Hook {

        void reached(CompensationContext context, Phase phase);

    }

}
