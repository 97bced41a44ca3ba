package dev.reliant.lock.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import dev.reliant.lock.LockGrant;
import dev.reliant.lock.LockStore;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Locks in a PostgreSQL table, one statement per operation in its own short transaction, on the database clock
 * ({@code clock_timestamp()}). A lock's row outlives its holders and its token column is the name's counter, so
 * tokens keep rising across restarts of the application and of the database, and across a failover to a replica
 * that had every commit (synchronous replication); the fence table sits in the same database, so an asynchronous
 * replica that lost the last acquisitions lost the fences they advanced too.
 */
public class JdbcLockStore implements LockStore {

    private final JdbcTemplate jdbc;

    private final String acquireSql;

    private final String renewSql;

    private final String releaseSql;

    private final String raiseFloorSql;

    public JdbcLockStore(JdbcTemplate jdbc, String table) {
        this.jdbc = jdbc;
        // One statement: a new name inserts, a free one (expired or released) is taken over with the next token,
        // a held one stays as it is and returns nothing. Concurrent takers queue on the row and re-check it; the
        // times are read again once the row is locked, as the VALUES row was built before any wait.
        this.acquireSql = "INSERT INTO " + table + " AS l (name, holder, token, acquired_at, expires_at) "
                + "VALUES (?, ?, ? + 1, clock_timestamp(), clock_timestamp() + ? * interval '1 millisecond') "
                + "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                + "token = greatest(l.token + 1, excluded.token), acquired_at = clock_timestamp(), "
                + "expires_at = clock_timestamp() + (excluded.expires_at - excluded.acquired_at) "
                + "WHERE l.holder IS NULL OR l.expires_at <= clock_timestamp() "
                + "RETURNING token, acquired_at, expires_at";
        this.renewSql = "UPDATE " + table + " SET expires_at = clock_timestamp() + ? * interval '1 millisecond' "
                + "WHERE name = ? AND holder = ? AND token = ? AND expires_at > clock_timestamp() "
                + "RETURNING expires_at";
        this.releaseSql = "UPDATE " + table + " SET holder = NULL, expires_at = clock_timestamp() "
                + "WHERE name = ? AND holder = ? AND token = ? AND expires_at > clock_timestamp() "
                + "RETURNING expires_at";
        this.raiseFloorSql = "INSERT INTO " + table + " AS l (name, holder, token, acquired_at, expires_at) "
                + "VALUES (?, NULL, ?, clock_timestamp(), clock_timestamp()) "
                + "ON CONFLICT (name) DO UPDATE SET token = excluded.token WHERE l.token < excluded.token";
    }

    @Override
    public Optional<LockGrant> tryAcquire(String name, String holder, Duration lease, long tokenFloor) {
        List<LockGrant> granted = jdbc.query(acquireSql,
                (rs, row) -> new LockGrant(name, holder, rs.getLong(1), instant(rs, 2), instant(rs, 3)), name,
                holder, Math.max(0, tokenFloor), lease.toMillis());
        return granted.stream().findFirst();
    }

    @Override
    public Optional<Instant> renew(String name, String holder, long token, Duration lease) {
        return jdbc.query(renewSql, (rs, row) -> instant(rs, 1), lease.toMillis(), name, holder, token)
            .stream()
            .findFirst();
    }

    @Override
    public Optional<Instant> release(String name, String holder, long token) {
        return jdbc.query(releaseSql, (rs, row) -> instant(rs, 1), name, holder, token).stream().findFirst();
    }

    @Override
    public void raiseTokenFloor(String name, long floor) {
        jdbc.update(raiseFloorSql, name, floor);
    }

    @Override
    public void ping() {
        jdbc.queryForObject("SELECT 1", Integer.class);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

}
