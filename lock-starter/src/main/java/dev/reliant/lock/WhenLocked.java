package dev.reliant.lock;

/** What a {@link Locked} call does when another holder has the lock. */
public enum WhenLocked {

    /** Returns {@code null} at once without running the method: the other instance does the work. */
    SKIP,

    /** Tries until {@link Locked#waitFor()} has passed, then throws {@link LockNotAcquiredException}. */
    WAIT

}
