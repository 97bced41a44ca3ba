package dev.reliant.lock.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.reliant.lock.LockGrant;
import dev.reliant.lock.LockLease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease as its holder sees it. The local deadline runs from when the acquiring or renewing command was sent,
 * which is no later than when the store started counting the lease, so the holder gives the lease up before the
 * store does (as long as the two clocks run at the same rate).
 */
final class DefaultLockLease implements LockLease {

    private static final Logger log = LoggerFactory.getLogger(DefaultLockLease.class);

    private final LockGrant grant;

    private final Duration lease;

    private final DefaultLockRegistry registry;

    private final List<Consumer<LockLease>> lostListeners = new CopyOnWriteArrayList<>();

    private volatile State state = State.HELD;

    private volatile long deadlineNanos;

    private volatile long lastRenewalSentNanos;

    private volatile boolean renewing;

    private volatile Instant expiresAt;

    private volatile Instant releasedAt;

    DefaultLockLease(LockGrant grant, Duration lease, long sentNanos, DefaultLockRegistry registry) {
        this.grant = grant;
        this.lease = lease;
        this.registry = registry;
        this.deadlineNanos = sentNanos + lease.toNanos();
        this.lastRenewalSentNanos = sentNanos;
        this.expiresAt = grant.expiresAt();
    }

    @Override
    public String name() {
        return grant.name();
    }

    @Override
    public long token() {
        return grant.token();
    }

    @Override
    public String holder() {
        return grant.holder();
    }

    @Override
    public Instant acquiredAt() {
        return grant.acquiredAt();
    }

    @Override
    public Instant expiresAt() {
        return expiresAt;
    }

    @Override
    public boolean isValid() {
        return state == State.HELD;
    }

    @Override
    public boolean release() {
        synchronized (this) {
            if (state != State.HELD) {
                return false;
            }
            state = State.RELEASED;
        }
        registry.forget(this);
        Optional<Instant> released = registry.releaseAtStore(this);
        released.ifPresent(at -> releasedAt = at);
        return released.isPresent();
    }

    @Override
    public Optional<Instant> releasedAt() {
        return Optional.ofNullable(releasedAt);
    }

    @Override
    public void onLost(Consumer<LockLease> listener) {
        lostListeners.add(listener);
        if (state == State.LOST) {
            notify(listener);
        }
    }

    Duration lease() {
        return lease;
    }

    /** Whether the next renewal is due: a third of the lease after the last one was sent, none in flight. */
    boolean renewalDue(long nowNanos) {
        return state == State.HELD && !renewing && nowNanos - lastRenewalSentNanos >= lease.toNanos() / 3;
    }

    /** Whether the lease runs out locally within {@code marginNanos}. */
    boolean runsOutWithin(long nowNanos, long marginNanos) {
        return nowNanos + marginNanos - deadlineNanos >= 0;
    }

    void renewalSent(long sentNanos) {
        renewing = true;
        lastRenewalSentNanos = sentNanos;
    }

    void renewed(long sentNanos, Instant newExpiry) {
        deadlineNanos = sentNanos + lease.toNanos();
        expiresAt = newExpiry;
        renewing = false;
    }

    void renewalFailed() {
        renewing = false;
    }

    /** Marks the lease lost and tells its listeners; false if it was no longer held. */
    boolean lose() {
        synchronized (this) {
            if (state != State.HELD) {
                return false;
            }
            state = State.LOST;
        }
        lostListeners.forEach(this::notify);
        return true;
    }

    private void notify(Consumer<LockLease> listener) {
        try {
            listener.accept(this);
        }
        catch (RuntimeException ex) {
            log.warn("A lost-lease listener of lock '{}' failed", name(), ex);
        }
    }

    @Override
    public String toString() {
        return "LockLease[" + name() + ", token " + token() + ", " + state + "]";
    }

    private enum State {

        HELD, RELEASED, LOST

    }

}
