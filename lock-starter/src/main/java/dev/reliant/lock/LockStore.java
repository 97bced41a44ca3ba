package dev.reliant.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where locks live. Every operation on one name is atomic and runs on the store's clock. A store hands out a token
 * per acquisition that is greater than every token it handed out before for that name, and greater than the floor
 * the caller passes; renewing and releasing check holder and token, so a holder whose lease lapsed can neither
 * extend nor delete the next holder's lock.
 */
public interface LockStore {

    /**
     * Takes the lock for {@code holder} for {@code lease} if nobody holds it (a lock whose lease ran out counts as
     * free); the token is greater than every earlier token of the name and than {@code tokenFloor}.
     */
    Optional<LockGrant> tryAcquire(String name, String holder, Duration lease, long tokenFloor);

    /** Extends the lease of the lock held by {@code holder} with {@code token}; the new expiry, or empty if lost. */
    Optional<Instant> renew(String name, String holder, long token, Duration lease);

    /** Frees the lock held by {@code holder} with {@code token}; when, on the store's clock, or empty if lost. */
    Optional<Instant> release(String name, String holder, long token);

    /** Makes every later token of the name greater than {@code floor}, for a counter that restarted low. */
    void raiseTokenFloor(String name, long floor);

    /** One round trip to the store, failing when it cannot be reached. */
    void ping();

}
