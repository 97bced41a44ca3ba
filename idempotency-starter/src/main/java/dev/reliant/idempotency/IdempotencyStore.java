package dev.reliant.idempotency;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where records live. Every operation on one key is atomic, and every record carries an expiry.
 * <p>
 * A claim holds the key for a short lease, renewed while the request runs, and the record lives until the
 * retention given to {@link #claim} ends. An in-progress record whose lease lapsed stays until then, so that the
 * next claim can tell that it takes over from an owner that stopped (and may have done part or all of its work)
 * rather than claim a free key.
 * <p>
 * Completing, renewing and releasing are compare-and-set operations on the owner token given to
 * {@link #claim} and on the in-progress state: they succeed while the owner holds the record, even after its lease
 * lapsed, and fail once another request took the key over or the record is gone, so a request that lost its claim
 * can neither overwrite nor delete the new owner's record.
 * <p>
 * Operations return futures so that callers can bound how long they wait; implementations must not block the
 * calling thread for longer than it takes to send the command.
 */
public interface IdempotencyStore {

    /**
     * Takes the key for {@code owner} if it is free, or if an in-progress record whose lease lapsed holds it (a
     * {@linkplain ClaimResult.Claimed#takeover() takeover}); otherwise returns the record as it is. The new
     * in-progress record's lease ends after {@code lease}, the record itself after {@code retention} (or the lease,
     * if that is longer).
     */
    CompletableFuture<ClaimResult> claim(String key, String owner, String fingerprint, Duration lease,
            Duration retention);

    /**
     * Moves the lease end of the in-progress record held by {@code owner} to {@code lease} from now, also when the
     * lease had lapsed but nobody took the key over; false when the claim was lost. The record lives at least
     * until the new lease end.
     */
    CompletableFuture<Boolean> renew(String key, String owner, Duration lease);

    /**
     * Replaces the in-progress record held by {@code owner} with a finished one ({@link RecordState#COMPLETED},
     * {@link RecordState#NOT_STORED} or {@link RecordState#UNSETTLED}) kept for {@code retention}; false when the
     * claim was lost.
     */
    CompletableFuture<Boolean> complete(String key, String owner, String fingerprint, RecordState state,
            StoredResponse response, Duration retention);

    /** Deletes the in-progress record held by {@code owner}, so the key can be used again; false when lost. */
    CompletableFuture<Boolean> release(String key, String owner);

    /** The record of a key while the store keeps it (an in-progress one whose lease lapsed included). */
    CompletableFuture<Optional<IdempotencyRecord>> find(String key);

    /**
     * Deletes a key's record, for operators, in one atomic step: a finished record always, an in-progress one
     * (whether or not its lease lapsed) only when {@code inProgressToo}, since its request may still be running.
     */
    CompletableFuture<Eviction> evict(String key, boolean inProgressToo);

}
