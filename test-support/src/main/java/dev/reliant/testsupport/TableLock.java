package dev.reliant.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

import javax.sql.DataSource;

/**
 * An exclusive lock on a table, held by a transaction on a connection of its own: a statement on the table waits
 * until the lock is released, so a test can hold a component in the middle of its work, then break that
 * statement's connection the way a server shutting down would.
 */
public final class TableLock implements AutoCloseable {

    private final Connection connection;

    private TableLock(Connection connection) {
        this.connection = connection;
    }

    /** Locks {@code table} against every other statement, reads included. */
    public static TableLock exclusive(DataSource dataSource, String table) {
        try {
            Connection connection = dataSource.getConnection();
            try {
                connection.setAutoCommit(false);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
                }
                return new TableLock(connection);
            }
            catch (SQLException ex) {
                connection.close();
                throw ex;
            }
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not lock " + table, ex);
        }
    }

    /** The server process of a statement containing {@code fragment} that waits for this lock, if one does. */
    public Optional<Integer> waiter(String fragment) {
        // the server reads pg_stat_activity once per transaction, and this connection's transaction holds the lock:
        // without a fresh read, a statement that began waiting after the first look would never be seen
        try (Statement clear = connection.createStatement()) {
            clear.execute("SELECT pg_stat_clear_snapshot()");
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not refresh the server's activity snapshot", ex);
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT pid FROM pg_stat_activity"
                + " WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid)) AND position(? IN query) > 0")) {
            statement.setString(1, fragment);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getInt(1)) : Optional.empty();
            }
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not look for statements waiting for the lock", ex);
        }
    }

    /** Ends the server process {@code pid}: its client sees the connection fail, as when the server shuts down. */
    public void terminate(int pid) {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
            statement.setInt(1, pid);
            statement.execute();
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not terminate server process " + pid, ex);
        }
    }

    @Override
    public void close() {
        try {
            connection.rollback();
            connection.close();
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not release the table lock", ex);
        }
    }
}
