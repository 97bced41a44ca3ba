package dev.reliant.idempotency;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where records live. Every operation on one key is atomic, and every record carries an expiry.
 * <p>
 * Completing, renewing and releasing are compare-and-set operations on the owner token given to
 * {@link #claim}: a request that lost its claim (its lease ran out and another request took the key) can neither
 * overwrite nor delete the new owner's record. Operations return futures so that callers can bound how long they
 * wait; implementations must not block the calling thread for longer than it takes to send the command.
 */
public interface IdempotencyStore {

    /**
     * Takes the key for {@code owner} if no live record exists, holding it for {@code lease}; otherwise returns the
     * record as it is. An in-progress record whose lease ran out counts as absent.
     */
    CompletableFuture<ClaimResult> claim(String key, String owner, String fingerprint, Duration lease);

    /** Extends the lease of an in-progress record held by {@code owner}; false when the claim was lost. */
    CompletableFuture<Boolean> renew(String key, String owner, Duration lease);

    /**
     * Replaces the in-progress record held by {@code owner} with a finished one ({@link RecordState#COMPLETED} or
     * {@link RecordState#NOT_STORED}) kept for {@code retention}; false when the claim was lost.
     */
    CompletableFuture<Boolean> complete(String key, String owner, String fingerprint, RecordState state,
            StoredResponse response, Duration retention);

    /** Deletes the in-progress record held by {@code owner}, so the key can be used again; false when lost. */
    CompletableFuture<Boolean> release(String key, String owner);

    /** The live record of a key, for inspection. */
    CompletableFuture<Optional<IdempotencyRecord>> find(String key);

    /** Deletes a key's record whatever its state, for operators; true when there was one. */
    CompletableFuture<Boolean> evict(String key);

}
