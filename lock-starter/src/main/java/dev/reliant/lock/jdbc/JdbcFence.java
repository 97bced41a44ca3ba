package dev.reliant.lock.jdbc;

import java.util.List;
import java.util.OptionalLong;
import java.util.function.ObjLongConsumer;

import dev.reliant.lock.Fence;
import dev.reliant.lock.FencedWriteRefusedException;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.metrics.LockMetrics;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The fence table in the application's database, checked with one statement in the caller's transaction. A token
 * above the fence advances it; the fence's own token passes only for the holder that set it, so a token handed out
 * twice (a Redis counter that restarted) cannot let a second holder in. The row lock taken by the check lasts until
 * the caller's transaction ends.
 */
public class JdbcFence implements Fence {

    private final JdbcTemplate jdbc;

    private final LockMetrics metrics;

    private final ObjLongConsumer<String> onRefusedLease;

    private final String advanceSql;

    private final String tokenSql;

    /**
     * @param jdbc on the application's {@code DataSource}, so the check joins the caller's transaction
     * @param onRefusedLease told the lock name and the fence's token when a lease's write is refused
     */
    public JdbcFence(JdbcTemplate jdbc, String table, LockMetrics metrics, ObjLongConsumer<String> onRefusedLease) {
        this.jdbc = jdbc;
        this.metrics = metrics;
        this.onRefusedLease = onRefusedLease;
        this.advanceSql = "INSERT INTO " + table + " AS f (resource, token, holder, updated_at) "
                + "VALUES (?, ?, ?, clock_timestamp()) "
                + "ON CONFLICT (resource) DO UPDATE SET token = excluded.token, holder = excluded.holder, "
                + "updated_at = excluded.updated_at "
                + "WHERE f.token < excluded.token OR (f.token = excluded.token AND f.holder = excluded.holder) "
                + "RETURNING token";
        this.tokenSql = "SELECT token FROM " + table + " WHERE resource = ?";
    }

    @Override
    public void check(String resource, LockLease lease) {
        try {
            check(resource, lease.token(), lease.holder());
        }
        catch (FencedWriteRefusedException ex) {
            onRefusedLease.accept(lease.name(), ex.fenceToken());
            throw ex;
        }
    }

    @Override
    public void check(String resource, long token, String holder) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("A fence check on '" + resource
                    + "' needs a transaction: outside one it would advance the fence apart from the writes it guards");
        }
        List<Long> advanced = jdbc.queryForList(advanceSql, Long.class, resource, token, holder);
        if (advanced.isEmpty()) {
            metrics.refused(resource);
            throw new FencedWriteRefusedException(resource, token, token(resource).orElse(token));
        }
    }

    @Override
    public OptionalLong token(String resource) {
        return jdbc.queryForList(tokenSql, Long.class, resource)
            .stream()
            .mapToLong(Long::longValue)
            .findFirst();
    }

}
