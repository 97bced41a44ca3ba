package dev.reliant.idempotency;

/** The answer of {@link IdempotencyStore#claim}: the caller holds the key now, or someone had it already. */
public sealed interface ClaimResult {

    /**
     * The key now belongs to the caller's owner token.
     *
     * @param takeover {@code true} when the key was held by an in-progress record whose lease had lapsed: its owner
     * may have run part or all of the request before it stopped renewing, so the caller must find out what that
     * request did before running it again; {@code false} when the key was free
     */
    record Claimed(boolean takeover) implements ClaimResult {
    }

    /** The key is held or was used: the record as found, untouched. */
    record Existing(IdempotencyRecord record) implements ClaimResult {
    }

    /** The key was free. */
    static ClaimResult claimed() {
        return new Claimed(false);
    }

    /** The key was held by an in-progress record whose lease had lapsed. */
    static ClaimResult takenOver() {
        return new Claimed(true);
    }

    static ClaimResult existing(IdempotencyRecord record) {
        return new Existing(record);
    }
}
