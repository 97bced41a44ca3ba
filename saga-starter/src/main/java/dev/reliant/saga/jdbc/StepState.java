package dev.reliant.saga.jdbc;

/** What the log knows about a durable step. */
public enum StepState {

    /** Intent recorded; the action's outcome is unknown. */
    STARTED,

    /** The action returned. */
    DONE,

    /** The action threw: its effect may or may not have happened. */
    FAILED,

    /** The compensation ran and committed. */
    COMPENSATED

}
