package dev.reliant.lock.tx;

import java.util.List;

import javax.sql.DataSource;

import dev.reliant.lock.CurrentLock;
import dev.reliant.lock.Fence;
import dev.reliant.lock.LockLease;

import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Makes every transaction that begins on the application's {@link DataSource} while the thread runs under a lock
 * (see {@link CurrentLock}) check that lock's fence just before it commits: the write a stale holder's transaction
 * made rolls back with a {@link dev.reliant.lock.FencedWriteRefusedException}, without code in the method.
 * Read-only transactions are left alone. Spring Boot applies this listener to the transaction managers it
 * configures; a transaction manager defined by the application needs it added
 * ({@code ConfigurableTransactionManager#addListener}).
 */
public class FenceCheckingTransactionListener implements TransactionExecutionListener {

    private final Fence fence;

    private final DataSource dataSource;

    public FenceCheckingTransactionListener(Fence fence, DataSource dataSource) {
        this.fence = fence;
        this.dataSource = dataSource;
    }

    @Override
    public void afterBegin(TransactionExecution transaction, Throwable beginFailure) {
        if (beginFailure == null && !transaction.isReadOnly()) {
            checkBeforeCommit(CurrentLock.all());
        }
    }

    /**
     * Registers the fence check of {@code leases} on the transaction active on this thread, if it is one on the
     * application's {@code DataSource}: for a lock taken inside a transaction that had begun already.
     */
    public void checkBeforeCommit(List<LockLease> leases) {
        if (leases.isEmpty() || !TransactionSynchronizationManager.isSynchronizationActive()
                || TransactionSynchronizationManager.isCurrentTransactionReadOnly()
                || !TransactionSynchronizationManager.hasResource(dataSource)) {
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new FenceCheck(leases));
    }

    private final class FenceCheck implements TransactionSynchronization {

        private final List<LockLease> leases;

        FenceCheck(List<LockLease> leases) {
            this.leases = leases;
        }

        @Override
        public void beforeCommit(boolean readOnly) {
            for (LockLease lease : leases) {
                fence.check(lease.name(), lease);
            }
        }

    }

}
