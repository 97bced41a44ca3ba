package dev.reliant.saga;

/** Where a saga is in its life, as recorded in the saga log. */
public enum SagaState {

    /** Steps are being run by the owner holding the lease. */
    RUNNING,

    /** Every step ran and the saga was closed: nothing will be compensated. */
    COMPLETED,

    /** The saga failed and its compensations are being run. */
    COMPENSATING,

    /** Every recorded step was compensated. */
    COMPENSATED,

    /** A compensation kept failing after its retries: needs an operator to retry or resolve it. */
    STUCK,

    /** An operator declared a stuck saga handled outside the library. */
    RESOLVED

}
