package dev.reliant.saga.core;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * A lambda compensation, run in its own transaction; it dies with the process. In a saga that is in the log, the
 * transaction first locks the saga under this owner's generation, as a durable compensation's does: a process that
 * lost the saga does not run it beside the new owner's compensations.
 */
final class InMemoryCompensationTask implements CompensationTask {

    private final String stepName;

    private final Runnable compensation;

    private final TransactionTemplate transaction;

    private final Runnable lockOwned;

    InMemoryCompensationTask(String stepName, Runnable compensation, TransactionTemplate transaction,
            Runnable lockOwned) {
        this.stepName = stepName;
        this.compensation = compensation;
        this.transaction = transaction;
        this.lockOwned = lockOwned;
    }

    @Override
    public String stepName() {
        return stepName;
    }

    @Override
    public void attempt(int attempt) {
        transaction.executeWithoutResult(status -> {
            lockOwned.run();
            compensation.run();
        });
    }

    @Override
    public void gaveUp(int attempts, Throwable error) {
        // nothing durable to record: the failure is logged and counted by the compensator
    }

}
