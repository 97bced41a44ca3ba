package dev.reliant.saga.core;

import org.springframework.transaction.support.TransactionTemplate;

/** A lambda compensation, run in its own transaction; it dies with the process. */
final class InMemoryCompensationTask implements CompensationTask {

    private final String stepName;

    private final Runnable compensation;

    private final TransactionTemplate transaction;

    InMemoryCompensationTask(String stepName, Runnable compensation, TransactionTemplate transaction) {
        this.stepName = stepName;
        this.compensation = compensation;
        this.transaction = transaction;
    }

    @Override
    public String stepName() {
        return stepName;
    }

    @Override
    public void attempt(int attempt) {
        transaction.executeWithoutResult(status -> compensation.run());
    }

    @Override
    public void gaveUp(int attempts, Throwable error) {
        // nothing durable to record: the failure is logged and counted by the compensator
    }

}
