package dev.reliant.saga.recovery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.reliant.saga.SagaState;
import dev.reliant.saga.core.SagaEngine;
import dev.reliant.saga.jdbc.JdbcSagaLog;
import dev.reliant.saga.jdbc.SagaSummary;

/** What an operator can do about sagas: look at them, retry a stuck one, or declare it resolved. */
public class SagaAdministration {

    private final SagaEngine engine;

    private final JdbcSagaLog sagaLog;

    private final String owner;

    private final Duration lease;

    public SagaAdministration(SagaEngine engine, JdbcSagaLog sagaLog, String owner, Duration lease) {
        this.engine = engine;
        this.sagaLog = sagaLog;
        this.owner = owner;
        this.lease = lease;
    }

    public List<SagaSummary> list(SagaState state, int limit) {
        return sagaLog.list(state, limit);
    }

    public Optional<SagaSummary> find(UUID id) {
        return sagaLog.find(id);
    }

    public long countStuck() {
        return sagaLog.count(SagaState.STUCK);
    }

    /**
     * Runs the remaining compensations of a stuck saga again, with fresh retries.
     *
     * @return the saga's state afterwards, empty when it was not stuck
     */
    public Optional<SagaState> retry(UUID id) {
        return sagaLog.claimStuck(id, owner, lease).map(engine::compensateClaimed);
    }

    /** Marks a stuck saga resolved by hand; false when it was not stuck. */
    public boolean resolve(UUID id) {
        return sagaLog.resolve(id);
    }

}
