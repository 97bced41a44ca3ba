package dev.reliant.saga.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.reliant.saga.DurableCompensation;
import dev.reliant.saga.Saga;
import dev.reliant.saga.SagaFencedException;
import dev.reliant.saga.SagaOptions;
import dev.reliant.saga.SagaState;
import dev.reliant.saga.jdbc.SagaRef;
import dev.reliant.saga.jdbc.StepRecord;
import dev.reliant.saga.jdbc.StepResult;
import dev.reliant.saga.jdbc.StepState;
import io.micrometer.observation.Observation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.core.JacksonException;

import org.springframework.core.log.LogMessage;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * One run of a saga in this process: the steps taken so far and how to undo them. It ends exactly once, by
 * {@link #complete()} or {@link #compensate(Throwable)}.
 */
public final class SagaExecution implements Saga {

    private static final Log log = LogFactory.getLog(SagaExecution.class);

    private final SagaEngine engine;

    private final UUID id;

    private final String name;

    private final SagaOptions options;

    /** The in-memory steps taken; the durable ones are read back from the log. */
    private final List<Step> inMemorySteps = new ArrayList<>();

    private final Set<String> stepNames = new HashSet<>();

    /** Results of durable steps not in the log yet: each goes with the saga's next write. */
    private final List<StepResult> unwrittenResults = new ArrayList<>();

    private SagaRef logged;

    private boolean ended;

    private volatile Consumer<SagaState> compensationListener;

    SagaExecution(SagaEngine engine, UUID id, String name, SagaOptions options) {
        this.engine = engine;
        this.id = id;
        this.name = name;
        this.options = options;
    }

    @Override
    public String id() {
        return id.toString();
    }

    public String name() {
        return name;
    }

    @Override
    public <T> T step(String stepName, Supplier<T> action, Consumer<? super T> compensation) {
        Assert.notNull(compensation, "compensation must not be null");
        int seq = reserve(stepName);
        T result = observe(stepName, action);
        add(new Step(seq, stepName, () -> compensation.accept(result)));
        return result;
    }

    @Override
    public void step(String stepName, Runnable action, Runnable compensation) {
        Assert.notNull(compensation, "compensation must not be null");
        step(stepName, () -> {
            action.run();
            return null;
        }, ignored -> compensation.run());
    }

    @Override
    public <T> T step(String stepName, Supplier<T> action, DurableCompensation compensation) {
        String arguments = engine.handlers.get(compensation.handler())
            .argumentsJson(engine.json, compensation.arguments());
        int seq = reserve(stepName);
        SagaRef saga = recordIntent(seq, stepName, compensation.handler(), arguments);
        T result;
        try {
            result = observe(stepName, action);
        }
        catch (RuntimeException | Error ex) {
            try {
                engine.sagaLog.recordActionFailure(saga, seq, ex);
            }
            catch (SagaFencedException fenced) {
                ex.addSuppressed(fenced);
                compensateLateStep(saga, seq, stepName, StepState.FAILED, null);
            }
            catch (RuntimeException logFailure) {
                ex.addSuppressed(logFailure);
            }
            throw ex;
        }
        String resultJson = resultJson(stepName, result);
        if (!engine.leases.surelyHeld(saga) && !engine.sagaLog.isRunning(saga)) {
            compensateLateStep(saga, seq, stepName, StepState.DONE, resultJson);
            throw new SagaFencedException(saga.id().toString());
        }
        addUnwrittenResult(new StepResult(seq, resultJson));
        return result;
    }

    /**
     * Compensates a step whose action ended after the saga had been taken over: its compensation may have run
     * before the action's effect existed. The step is reopened with its outcome and the saga taken back from
     * whoever was compensating it, then compensated here.
     */
    private void compensateLateStep(SagaRef saga, int seq, String stepName, StepState outcome, String resultJson) {
        log.warn(LogMessage.format("Step '%s' of saga %s (%s) ended after the saga was taken over; compensating it"
                + " again", stepName, id, name));
        try {
            engine.sagaLog
                .reopenLateStep(saga, seq, outcome, resultJson, engine.leases.owner(), engine.leases.lease())
                .ifPresentOrElse(engine::compensateClaimed, () -> log.warn(LogMessage.format(
                        "Saga %s (%s) is no longer compensated by anyone (resolved or deleted): the late effect of"
                                + " step '%s' is left as it is", id, name, stepName)));
        }
        catch (RuntimeException ex) {
            log.error(LogMessage.format("The late step '%s' of saga %s (%s) could not be reopened; its effect may"
                    + " need an operator", stepName, id, name), ex);
        }
    }

    /** The result as JSON for the compensation's context; a result JSON cannot hold is recorded as none. */
    private String resultJson(String stepName, Object result) {
        try {
            return engine.json.writeValueAsString(result);
        }
        catch (JacksonException ex) {
            log.debug(LogMessage.format("Result of step '%s' of saga %s is not recorded: %s", stepName, id, ex));
            return null;
        }
    }

    @Override
    public void step(String stepName, Runnable action, DurableCompensation compensation) {
        step(stepName, () -> {
            action.run();
            return null;
        }, compensation);
    }

    private synchronized int reserve(String stepName) {
        Assert.hasText(stepName, "step name must not be empty");
        Assert.state(!ended, () -> "Saga '" + name + "' has already ended");
        if (!stepNames.add(stepName)) {
            throw new IllegalArgumentException("Saga '" + name + "' already has a step named '" + stepName + "'");
        }
        return stepNames.size();
    }

    private synchronized void add(Step step) {
        inMemorySteps.add(step);
    }

    private synchronized void addUnwrittenResult(StepResult result) {
        unwrittenResults.add(result);
    }

    /** Hands the unwritten results to the write about to be made; the caller holds this object's lock. */
    private List<StepResult> takeUnwrittenResults() {
        List<StepResult> taken = List.copyOf(unwrittenResults);
        unwrittenResults.clear();
        return taken;
    }

    /** Keeps the results of a write that failed for the next one, which a failed saga makes to compensate. */
    private synchronized void giveBackUnwrittenResults(List<StepResult> results) {
        unwrittenResults.addAll(results);
    }

    /**
     * Records a durable step's intent with the results of the steps that returned before it, and the saga itself
     * with its first one.
     */
    private SagaRef recordIntent(int seq, String stepName, String handler, String arguments) {
        SagaRef saga;
        List<StepResult> results;
        synchronized (this) {
            if (logged == null) {
                long sent = System.nanoTime();
                logged = engine.sagaLog.begin(id, name, engine.leases.owner(), options, engine.leases.lease(), seq,
                        stepName, handler, arguments);
                engine.leases.track(logged, sent);
                return logged;
            }
            saga = logged;
            results = takeUnwrittenResults();
        }
        try {
            engine.sagaLog.recordIntent(saga, results, seq, stepName, handler, arguments);
        }
        catch (RuntimeException ex) {
            giveBackUnwrittenResults(results);
            throw ex;
        }
        return saga;
    }

    private <T> T observe(String stepName, Supplier<T> action) {
        return Observation.createNotStarted("reliant.saga.step", engine.observations)
            .contextualName(name + " " + stepName)
            .lowCardinalityKeyValue("saga", name)
            .lowCardinalityKeyValue("step", stepName)
            .observe(action);
    }

    /**
     * Closes the saga: nothing will be compensated. Throws {@link SagaFencedException} when another process took
     * the saga over in the meantime, which will compensate it.
     * <p>
     * Inside a transaction on the saga log's database, the saga is closed in that transaction: it is complete when
     * the transaction commits, and compensated right after it when it rolls back instead.
     */
    public void complete() {
        SagaRef saga;
        List<StepResult> results;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            saga = logged;
            results = takeUnwrittenResults();
        }
        if (saga != null) {
            try {
                engine.sagaLog.complete(saga, results);
            }
            catch (RuntimeException ex) {
                synchronized (this) {
                    ended = false;
                }
                giveBackUnwrittenResults(results);
                throw ex;
            }
        }
        if (engine.sagaLog.inTransaction()) {
            TransactionSynchronizationManager.registerSynchronization(new ClosedInTransaction(saga, results));
            return;
        }
        if (saga != null) {
            engine.leases.untrack(saga);
        }
        engine.metrics.completed(name);
    }

    /**
     * Fails the saga: compensates it now or, inside a transaction on the saga log's database, makes that transaction
     * roll back and compensates right after it did, so that no compensation runs beside business writes that have
     * not rolled back yet.
     */
    public void fail(Throwable cause) {
        if (!engine.sagaLog.inTransaction()) {
            compensate(cause);
            return;
        }
        engine.sagaLog.markTransactionRollbackOnly();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

            @Override
            public void afterCompletion(int status) {
                compensate(cause);
            }

        });
    }

    /** Tells {@code listener} how the saga's compensation ended: its state, or {@code null} when left to recovery. */
    public void whenCompensated(Consumer<SagaState> listener) {
        this.compensationListener = listener;
    }

    /**
     * Runs the compensations of the steps taken, last first. When the log cannot be written (database down,
     * saga taken over), the durable compensations are left to the recovery worker and only the in-memory ones run.
     *
     * @return the saga's final state, or {@code null} when the durable part was left to another run
     */
    public SagaState compensate(Throwable cause) {
        boolean first;
        synchronized (this) {
            first = !ended;
        }
        SagaState state = compensateSteps(cause);
        Consumer<SagaState> listener = compensationListener;
        if (first && listener != null) {
            listener.accept(state);
        }
        return state;
    }

    private SagaState compensateSteps(Throwable cause) {
        List<Step> taken;
        SagaRef saga;
        List<StepResult> results;
        synchronized (this) {
            if (ended) {
                return null;
            }
            ended = true;
            taken = new ArrayList<>(inMemorySteps);
            saga = logged;
            results = takeUnwrittenResults();
        }
        // the log, not this object, says which durable steps have an intent: a step racing with this method on
        // another thread is either in it or refused from now on
        List<StepRecord> recorded = null;
        boolean takenOver = false;
        if (saga != null) {
            try {
                engine.sagaLog.markCompensating(saga, results, cause);
                recorded = engine.sagaLog.uncompensatedSteps(saga.id());
            }
            catch (SagaFencedException ex) {
                takenOver = true;
            }
            catch (RuntimeException ex) {
                log.warn(LogMessage.format("Saga %s (%s) could not be marked for compensation; its durable steps"
                        + " are left to recovery", saga.id(), name), ex);
            }
        }
        boolean durable = recorded != null;
        TreeMap<Integer, CompensationTask> lastFirst = new TreeMap<>(Comparator.reverseOrder());
        if (takenOver) {
            // the new owner compensates the durable steps; these would run out of order beside them
            log.warn(LogMessage.format("Saga %s (%s) was taken over before it could be compensated here; its"
                    + " in-memory compensations %s are not run", saga.id(), name,
                    taken.stream().map(Step::name).toList()));
            taken.clear();
        }
        Runnable lockOwned = durable ? () -> engine.sagaLog.lockOwned(saga) : () -> {
        };
        for (Step step : taken) {
            lastFirst.put(step.seq(), new InMemoryCompensationTask(step.name(), step.compensation(),
                    engine.compensationTransaction, lockOwned));
        }
        if (durable) {
            for (StepRecord step : recorded) {
                lastFirst.put(step.seq(), new DurableCompensationTask(engine, saga, step));
            }
        }
        try {
            Compensator.Outcome outcome = engine.compensator.compensate(name, new ArrayList<>(lastFirst.values()),
                    options);
            if (durable) {
                return engine.finish(saga, outcome);
            }
            SagaState state = (saga != null || outcome.interrupted()) ? null
                    : (outcome.complete() ? SagaState.COMPENSATED : SagaState.STUCK);
            engine.count(name, state);
            return state;
        }
        finally {
            if (saga != null) {
                engine.leases.untrack(saga);
            }
        }
    }

    private record Step(int seq, String name, Runnable compensation) {
    }

    /** The end of the transaction a saga was closed in decides whether it stays complete. */
    private final class ClosedInTransaction implements TransactionSynchronization {

        private final SagaRef saga;

        private final List<StepResult> results;

        ClosedInTransaction(SagaRef saga, List<StepResult> results) {
            this.saga = saga;
            this.results = results;
        }

        @Override
        public void afterCompletion(int status) {
            if (status == STATUS_COMMITTED) {
                if (saga != null) {
                    engine.leases.untrack(saga);
                }
                engine.metrics.completed(name);
                return;
            }
            synchronized (SagaExecution.this) {
                ended = false;
            }
            giveBackUnwrittenResults(results);
            compensate(new IllegalStateException("The transaction saga " + id + " was closed in did not commit"));
        }
    }

}
