package dev.reliant.saga.core;

import dev.reliant.saga.jdbc.SagaRef;
import dev.reliant.saga.jdbc.StepRecord;

/**
 * A logged step's compensation. Each attempt locks the saga under the owner's generation, calls the handler and
 * marks the step compensated, all in one transaction: the handler's own database work commits with that mark or
 * not at all, and a process that lost the saga cannot get past the lock.
 */
final class DurableCompensationTask implements CompensationTask {

    private final SagaEngine engine;

    private final SagaRef saga;

    private final StepRecord step;

    DurableCompensationTask(SagaEngine engine, SagaRef saga, StepRecord step) {
        this.engine = engine;
        this.saga = saga;
        this.step = step;
    }

    @Override
    public String stepName() {
        return step.name();
    }

    @Override
    public void attempt(int attempt) {
        CompensationHandler handler = engine.handlers.get(step.handler());
        DefaultCompensationContext context = new DefaultCompensationContext(saga.id().toString(), saga.name(),
                step.name(), attempt, step.result(), engine.json);
        engine.compensationTransaction.executeWithoutResult(status -> {
            engine.sagaLog.lockOwned(saga);
            try {
                handler.invoke(engine.json, step.arguments(), context);
            }
            catch (RuntimeException ex) {
                throw ex;
            }
            catch (Exception ex) {
                throw new CompensationFailedException(step.name(), ex);
            }
            engine.sagaLog.markCompensated(saga, step.seq());
        });
    }

    @Override
    public void gaveUp(int attempts, Throwable error) {
        engine.sagaLog.recordCompensationFailure(saga, step.seq(), attempts, error);
    }

}
