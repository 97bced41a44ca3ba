package dev.reliant.saga.core;

import dev.reliant.saga.CompensationContext;
import dev.reliant.saga.jdbc.SagaRef;
import dev.reliant.saga.jdbc.StepRecord;
import dev.reliant.saga.jdbc.StepState;
import io.micrometer.observation.Observation;

/**
 * A logged step's compensation. Each attempt locks the saga under the owner's generation and the step, reads the
 * step back, calls the handler unless the step is compensated already and marks it compensated, all in one
 * transaction: the handler's own database work commits with that mark or not at all, a process that lost the saga
 * cannot get past the lock, and an attempt after a commit that seemed to fail finds the work done.
 * <p>
 * Each call of the handler is observed as {@value #OBSERVATION}, tagged with the saga's name, the step and the
 * handler, and with the saga's id and the attempt as high-cardinality values: a trace shows every compensation a
 * saga ran, and a test can count them.
 */
final class DurableCompensationTask implements CompensationTask {

    static final String OBSERVATION = "reliant.saga.compensation.call";

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
        engine.compensationTransaction.executeWithoutResult(status -> {
            StepRecord current = engine.sagaLog.lockStep(saga, step.seq());
            if (current.state() == StepState.COMPENSATED) {
                return;
            }
            DefaultCompensationContext context = new DefaultCompensationContext(saga.id().toString(), saga.name(),
                    current.name(), attempt, actionState(current.state()), current.result(), engine.json);
            try {
                Observation.createNotStarted(OBSERVATION, engine.observations)
                    .contextualName(saga.name() + " " + current.name() + " compensation")
                    .lowCardinalityKeyValue("saga", saga.name())
                    .lowCardinalityKeyValue("step", current.name())
                    .lowCardinalityKeyValue("handler", step.handler())
                    .highCardinalityKeyValue("saga.id", saga.id().toString())
                    .highCardinalityKeyValue("attempt", Integer.toString(attempt))
                    .observeChecked(() -> handler.invoke(engine.json, current.arguments(), context));
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

    private static CompensationContext.ActionState actionState(StepState state) {
        return switch (state) {
            case DONE -> CompensationContext.ActionState.DONE;
            case FAILED -> CompensationContext.ActionState.FAILED;
            case STARTED, COMPENSATED -> CompensationContext.ActionState.INTENT_ONLY;
        };
    }

    @Override
    public void gaveUp(int attempts, Throwable error) {
        engine.sagaLog.recordCompensationFailure(saga, step.seq(), attempts, error);
    }

}
