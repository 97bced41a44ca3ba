package dev.reliant.lock;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A held lock. A watchdog renews it while it is valid; it stops being valid when released or when a renewal could
 * not confirm it before its lease ran out, and then its lost-lease listeners run. Validity is a local belief: a
 * process paused past its lease still thinks it holds the lock until it runs again, which is why writes carry the
 * {@link #token()} through a {@link Fence}.
 */
public interface LockLease extends AutoCloseable {

    /** The lock's name. */
    String name();

    /** Greater than the token of every earlier holder of this name. */
    long token();

    /** Who holds it: the instance id and a random part unique to this lease. */
    String holder();

    /** When the store granted it, on the store's clock. */
    Instant acquiredAt();

    /** When the lease runs out at the store unless renewed again, as of the last renewal. */
    Instant expiresAt();

    /** False once released or lost. */
    boolean isValid();

    /** Frees the lock if still held; false when it had already been lost or released. */
    boolean release();

    /** When the store freed it, on the store's clock, once {@link #release()} succeeded. */
    Optional<Instant> releasedAt();

    /**
     * Runs {@code listener} when the lease is lost (not when it is released); at once if it is lost already.
     * Listeners run on the watchdog's thread and must not block.
     */
    void onLost(Consumer<LockLease> listener);

    /** Same as {@link #release()}. */
    @Override
    default void close() {
        release();
    }

}
