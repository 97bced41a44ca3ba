package dev.reliant.outbox.jdbc;

import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Whether the current transaction writes through a given {@link DataSource}. A transaction of another resource's
 * transaction manager (another DataSource's, Kafka's) is active too, but a statement on this DataSource inside it
 * runs on a connection of its own and commits at once, whatever becomes of that transaction.
 */
public final class BoundTransaction {

    private BoundTransaction() {
    }

    /**
     * True when a read-write transaction is active and holds a connection of {@code dataSource} that is not in
     * auto-commit mode.
     */
    public static boolean writesThrough(DataSource dataSource) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()
                || TransactionSynchronizationManager.isCurrentTransactionReadOnly()) {
            return false;
        }
        if (!(TransactionSynchronizationManager.getResource(dataSource) instanceof ConnectionHolder holder)) {
            return false;
        }
        try {
            return !holder.getConnection().getAutoCommit();
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not tell whether the transaction's connection auto-commits", ex);
        }
    }
}
