package dev.reliant.idempotency.outcome;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.core.InfrastructureProxy;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * Begins the transaction an idempotent request's handler runs in, on the application's {@code DataSource}: the
 * handler's {@code REQUIRED} transactions join it, and the request's outcome is written in it just before it commits.
 * <p>
 * On a plain JDBC set-up the transaction takes no connection from the pool until the handler's first statement, so a
 * handler that calls remote services first (or never touches the database) holds no connection meanwhile. Its
 * resources are bound under the application's own {@code DataSource}, which is what lets the application's
 * transaction manager, {@code JdbcTemplate} and {@code JdbcClient} find and join it.
 */
public final class RequestTransactions {

    private static final ThreadLocal<Boolean> CONNECTION_TAKEN = new ThreadLocal<>();

    private static final TransactionDefinition DEFINITION = new DefaultTransactionDefinition(
            TransactionDefinition.PROPAGATION_REQUIRES_NEW);

    private final PlatformTransactionManager transactionManager;

    private final boolean lazy;

    private RequestTransactions(PlatformTransactionManager transactionManager, boolean lazy) {
        this.transactionManager = transactionManager;
        this.lazy = lazy;
    }

    /** Transactions on {@code dataSource} that take a pooled connection only when a statement needs one. */
    public static RequestTransactions lazy(DataSource dataSource) {
        return new RequestTransactions(new DataSourceTransactionManager(new LazyRequestDataSource(dataSource)), true);
    }

    /**
     * Transactions of the application's own transaction manager (JPA, for instance), which must expose its
     * connection under the {@code DataSource} the outcomes are written to.
     */
    public static RequestTransactions of(PlatformTransactionManager transactionManager) {
        return new RequestTransactions(transactionManager, false);
    }

    public RequestTransaction begin() {
        if (lazy) {
            CONNECTION_TAKEN.remove();
        }
        return new RequestTransaction(transactionManager.getTransaction(DEFINITION));
    }

    /** One request's transaction. */
    public final class RequestTransaction {

        private final TransactionStatus status;

        private RequestTransaction(TransactionStatus status) {
            this.status = status;
        }

        /** Whether anything ran on the transaction's connection, so that there is something to commit. */
        public boolean used() {
            return !lazy || Boolean.TRUE.equals(CONNECTION_TAKEN.get());
        }

        /**
         * Sends the writes the handler left pending (an ORM's deferred inserts) to the database, so that one the
         * database refuses fails the handler before its outcome is written, rather than the commit.
         */
        public void flush() {
            status.flush();
        }

        /** Whether a participant (a joined transaction that failed, a failed saga) asked for a rollback. */
        public boolean rollbackOnly() {
            return status.isRollbackOnly();
        }

        public void commit() {
            try {
                transactionManager.commit(status);
            }
            finally {
                CONNECTION_TAKEN.remove();
            }
        }

        public void rollback() {
            try {
                transactionManager.rollback(status);
            }
            finally {
                CONNECTION_TAKEN.remove();
            }
        }
    }

    /** The lazy proxy, registered under the target so that the application's own code finds the transaction. */
    private static final class LazyRequestDataSource extends LazyConnectionDataSourceProxy
            implements InfrastructureProxy {

        private final DataSource target;

        LazyRequestDataSource(DataSource target) {
            super(new UseRecordingDataSource(target));
            this.target = target;
            setDefaultAutoCommit(true);
            setDefaultTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        }

        @Override
        public Object getWrappedObject() {
            return target;
        }
    }

    /** Notes on the request's thread that its transaction took a real connection. */
    private static final class UseRecordingDataSource extends DelegatingDataSource {

        UseRecordingDataSource(DataSource target) {
            super(target);
        }

        @Override
        public Connection getConnection() throws SQLException {
            CONNECTION_TAKEN.set(Boolean.TRUE);
            return super.getConnection();
        }
    }
}
