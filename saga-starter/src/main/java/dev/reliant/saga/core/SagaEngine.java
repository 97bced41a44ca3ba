package dev.reliant.saga.core;

import java.util.List;
import java.util.UUID;

import dev.reliant.saga.SagaFencedException;
import dev.reliant.saga.SagaOptions;
import dev.reliant.saga.SagaState;
import dev.reliant.saga.jdbc.ClaimedSaga;
import dev.reliant.saga.jdbc.JdbcSagaLog;
import dev.reliant.saga.jdbc.SagaRef;
import dev.reliant.saga.jdbc.StepRecord;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.log.LogMessage;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Starts sagas and finishes the compensation of sagas taken over from another owner. Holds what every saga
 * execution shares: the log, the handlers, the compensator and the lease keeper.
 */
public class SagaEngine {

    private static final Log log = LogFactory.getLog(SagaEngine.class);

    final JdbcSagaLog sagaLog;

    final CompensationHandlers handlers;

    final JsonMapper json;

    final Compensator compensator;

    final LeaseKeeper leases;

    final SagaMetrics metrics;

    final ObservationRegistry observations;

    final TransactionTemplate compensationTransaction;

    private final SagaOptions defaultOptions;

    public SagaEngine(JdbcSagaLog sagaLog, CompensationHandlers handlers, JsonMapper json, Compensator compensator,
            LeaseKeeper leases, SagaMetrics metrics, ObservationRegistry observations,
            PlatformTransactionManager transactionManager, SagaOptions defaultOptions) {
        this.sagaLog = sagaLog;
        this.handlers = handlers;
        this.json = json;
        this.compensator = compensator;
        this.leases = leases;
        this.metrics = metrics;
        this.observations = observations;
        this.compensationTransaction = new TransactionTemplate(transactionManager);
        this.compensationTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.defaultOptions = defaultOptions;
    }

    /**
     * An engine that shares everything with this one but the lease keeper: the sagas it starts are owned, and their
     * leases renewed, by {@code leases}. It stands for a second process in the same JVM, one that can stop (its
     * lease keeper destroyed, its sagas abandoned) while this one recovers what it left, as the test kit's crash
     * scenarios do.
     */
    public SagaEngine withLeases(LeaseKeeper leases) {
        return new SagaEngine(sagaLog, handlers, json, compensator, leases, metrics, observations,
                compensationTransaction.getTransactionManager(), defaultOptions);
    }

    /**
     * A new saga, not yet in the log: it is recorded with its first durable step, so sagas made only of in-memory
     * steps never touch the database.
     */
    public SagaExecution start(String name, SagaOptions options) {
        metrics.started(name);
        return new SagaExecution(this, UUID.randomUUID(), name, (options != null) ? options : defaultOptions);
    }

    /**
     * Runs the remaining compensations of a saga this process just claimed and records how it ended.
     *
     * @return the saga's new state, or {@code null} when another process took it over meanwhile
     */
    public SagaState compensateClaimed(ClaimedSaga claimed) {
        SagaRef saga = claimed.ref();
        leases.track(saga);
        try {
            List<StepRecord> steps = sagaLog.uncompensatedSteps(saga.id());
            List<CompensationTask> tasks = steps.stream()
                .<CompensationTask>map(step -> new DurableCompensationTask(this, saga, step))
                .toList();
            return finish(saga, compensator.compensate(saga.name(), tasks, claimed.options()));
        }
        finally {
            leases.untrack(saga);
        }
    }

    SagaState finish(SagaRef saga, Compensator.Outcome outcome) {
        if (outcome.fenced()) {
            return null;
        }
        if (outcome.interrupted()) {
            leaveToRecovery(saga);
            return null;
        }
        SagaState state = outcome.complete() ? SagaState.COMPENSATED : SagaState.STUCK;
        try {
            sagaLog.finishCompensation(saga, state,
                    (outcome.failure() != null) ? "Compensation failed: " + outcome.failure() : null);
        }
        catch (SagaFencedException ex) {
            return null;
        }
        count(saga.name(), state);
        return state;
    }

    /** Hands the saga to the recovery workers at once rather than when its lease would have run out. */
    private void leaveToRecovery(SagaRef saga) {
        try {
            sagaLog.releaseLease(saga);
        }
        catch (RuntimeException ex) {
            log.info(LogMessage.format("Saga %s (%s) is left to recovery once its lease runs out: %s", saga.id(),
                    saga.name(), ex));
        }
    }

    void count(String name, SagaState state) {
        if (state == SagaState.COMPENSATED) {
            metrics.compensated(name);
        }
        else if (state == SagaState.STUCK) {
            metrics.stuck(name);
        }
    }

}
