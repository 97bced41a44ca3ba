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

    /** What the log knew of the step's action when this compensation was called. */
    ActionState actionState();

    /**
     * The step's recorded result, empty when the action returned nothing or its outcome is unknown: it threw, timed
     * out, or the process died before the result reached the log, which happens with the saga's next write.
     */
    <T> Optional<T> result(Class<T> type);

    /** What a compensation knows of its step's action. */
    enum ActionState {

        /**
         * Only the intent is recorded: the action may not have run, may still be running in a process that lost
         * the saga, or may have returned without its result reaching the log. Undo whatever effect exists, and make
         * sure a late action cannot take effect after this compensation (see the participant rule in the README).
         */
        INTENT_ONLY,

        /** The action returned; {@link #result(Class)} holds its result when JSON could hold it. */
        DONE,

        /** The action threw: its effect may or may not exist. */
        FAILED

    }

}
