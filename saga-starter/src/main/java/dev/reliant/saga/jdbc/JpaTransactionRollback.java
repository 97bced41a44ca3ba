package dev.reliant.saga.jdbc;

import jakarta.persistence.EntityTransaction;

import org.springframework.orm.jpa.EntityManagerHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Marks the resource-local JPA transactions bound to the calling thread rollback-only; loaded only with JPA. */
final class JpaTransactionRollback {

    private JpaTransactionRollback() {
    }

    static void mark() {
        for (Object resource : TransactionSynchronizationManager.getResourceMap().values()) {
            if (resource instanceof EntityManagerHolder holder) {
                holder.setRollbackOnly();
                try {
                    EntityTransaction transaction = holder.getEntityManager().getTransaction();
                    if (transaction.isActive()) {
                        transaction.setRollbackOnly();
                    }
                }
                catch (IllegalStateException jta) {
                    // A JTA entity manager has no EntityTransaction of its own to mark.
                }
            }
        }
    }
}
