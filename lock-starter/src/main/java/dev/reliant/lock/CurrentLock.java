package dev.reliant.lock;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The leases bound to the current thread: those of the {@link Locked} methods it is running, or of code run
 * through {@link #runWith}. Transactions begun while a lease is bound check its fence before commit.
 */
public final class CurrentLock {

    private static final ThreadLocal<Deque<LockLease>> BOUND = ThreadLocal.withInitial(ArrayDeque::new);

    private CurrentLock() {
    }

    /** The innermost lease bound to this thread. */
    public static Optional<LockLease> lease() {
        return Optional.ofNullable(BOUND.get().peek());
    }

    /** The innermost lease's token; fails when the thread runs under no lock. */
    public static long token() {
        return lease().orElseThrow(() -> new IllegalStateException("The current thread holds no lock")).token();
    }

    /** Every lease bound to this thread, innermost first. */
    public static List<LockLease> all() {
        return List.copyOf(BOUND.get());
    }

    /** Runs {@code body} with {@code lease} bound to this thread. */
    public static <T> T runWith(LockLease lease, Body<T> body) throws Throwable {
        Deque<LockLease> bound = BOUND.get();
        bound.push(lease);
        try {
            return body.run();
        }
        finally {
            bound.pop();
            if (bound.isEmpty()) {
                BOUND.remove();
            }
        }
    }

    /** Code run under a lease. */
    @FunctionalInterface
    public interface Body<T> {

        T run() throws Throwable;

    }

}
