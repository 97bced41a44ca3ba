package dev.reliant.idempotency;

/** The answer of {@link IdempotencyStore#claim}: the caller holds the key now, or someone had it already. */
public sealed interface ClaimResult {

    /** The key was free and now belongs to the caller's owner token. */
    record Claimed() implements ClaimResult {
    }

    /** The key is held or was used: the record as found, untouched. */
    record Existing(IdempotencyRecord record) implements ClaimResult {
    }

    static ClaimResult claimed() {
        return new Claimed();
    }

    static ClaimResult existing(IdempotencyRecord record) {
        return new Existing(record);
    }
}
