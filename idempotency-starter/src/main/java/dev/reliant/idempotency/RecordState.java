package dev.reliant.idempotency;

/** Where a key's record is in its life. */
public enum RecordState {

    /**
     * A request holds the key and is running. When its lease runs out unrenewed, the record stays until its
     * retention ends, and the next claim takes it over.
     */
    IN_PROGRESS,

    /** The request finished and its response is stored for replay. */
    COMPLETED,

    /**
     * The request finished but its response could not be stored (too large, or streamed); retries are answered
     * with a problem instead of running the request again.
     */
    NOT_STORED,

    /**
     * The request ran and failed, and undoing its effects did not finish (a compensation is stuck, or was left to
     * recovery on another instance); the response holds its status. Retries are answered with a problem, and the
     * request does not run again until an operator evicts the record or it expires.
     */
    UNSETTLED

}
