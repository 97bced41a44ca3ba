package dev.reliant.saga;

import java.util.Optional;

/** What a compensation handler knows about the call it is serving. */
public interface CompensationContext {

    String sagaId();

    String sagaName();

    String stepName();

    /** {@code sagaId:stepName}: the same for every attempt, by this process or any other. */
    String idempotencyKey();

    /** 1 for the first attempt in this run of the compensation. */
    int attempt();

    /**
     * The step's recorded result, empty when the action returned nothing or its outcome is unknown: it threw, timed
     * out, or the process died before the result reached the log, which happens with the saga's next write.
     */
    <T> Optional<T> result(Class<T> type);

}
