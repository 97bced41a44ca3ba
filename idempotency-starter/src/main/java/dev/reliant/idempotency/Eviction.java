package dev.reliant.idempotency;

/** The answer of {@link IdempotencyStore#evict}. */
public enum Eviction {

    /** The record was deleted; the key is free. */
    EVICTED,

    /**
     * The record is in progress (its lease lapsed or not) and was kept: its request may still be running, and a
     * second run could start as soon as the key is free.
     */
    IN_PROGRESS,

    /** The store keeps no record of the key. */
    ABSENT

}
