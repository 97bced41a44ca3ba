package dev.reliant.lock;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Hands out named, fenced locks. */
public interface LockRegistry {

    /** Takes the lock with the default lease if it is free, without waiting. */
    Optional<LockLease> tryAcquire(String name);

    /** Takes the lock for {@code lease} if it is free, without waiting. */
    Optional<LockLease> tryAcquire(String name, Duration lease);

    /** Takes the lock for {@code lease}, trying until {@code wait} has passed. */
    LockLease acquire(String name, Duration lease, Duration wait);

    /** The leases this instance holds now. */
    List<LockLease> held();

}
