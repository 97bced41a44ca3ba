package dev.reliant.idempotency;

/** Where a key's record is in its life. */
public enum RecordState {

    /** A request holds the key and is running; the claim lapses when its lease runs out. */
    IN_PROGRESS,

    /** The request finished and its response is stored for replay. */
    COMPLETED,

    /**
     * The request finished but its response could not be stored (too large, or streamed); retries are answered
     * with a problem instead of running the request again.
     */
    NOT_STORED

}
