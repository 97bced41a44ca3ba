package dev.reliant.saga.jdbc;

import javax.sql.DataSource;

import org.springframework.transaction.support.ResourceHolderSupport;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;

/**
 * Makes the calling thread's transaction roll back whatever its owner decides. Each transaction manager reads
 * "rollback only" from its own resource: the JDBC one from the connection holder, the JPA one from the entity
 * manager's transaction; so both are marked.
 */
final class TransactionRollback {

    private static final boolean JPA_PRESENT = ClassUtils.isPresent("org.springframework.orm.jpa.EntityManagerHolder",
            TransactionRollback.class.getClassLoader());

    private TransactionRollback() {
    }

    static void mark(DataSource dataSource) {
        if (TransactionSynchronizationManager.getResource(dataSource) instanceof ResourceHolderSupport holder) {
            holder.setRollbackOnly();
        }
        if (JPA_PRESENT) {
            JpaTransactionRollback.mark();
        }
    }
}
