package dev.reliant.lock.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.reliant.lock.LockGrant;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockNotAcquiredException;
import dev.reliant.lock.LockRegistry;
import dev.reliant.lock.LockStore;
import dev.reliant.lock.metrics.LockMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases from a {@link LockStore}, kept alive by a watchdog. The watchdog looks at every held lease each
 * {@value #TICK_MILLIS} ms: it sends a renewal a third of the lease after the last one (on a thread of its own, so
 * that a hung store cannot hold up the check), and declares the lease lost when a renewal says so or when the
 * lease would run out before the next look.
 * <p>
 * Each acquisition passes the highest token this instance has seen for the name as a floor, so a store whose
 * counter restarted (a flushed Redis) does not hand this instance a token below one it held before.
 */
public class DefaultLockRegistry implements LockRegistry, AutoCloseable {

    static final long TICK_MILLIS = 100;

    private static final Logger log = LoggerFactory.getLogger(DefaultLockRegistry.class);

    private static final Duration FIRST_RETRY = Duration.ofMillis(20);

    private static final Duration LONGEST_RETRY = Duration.ofMillis(500);

    private final LockStore store;

    private final Duration defaultLease;

    private final String instanceId;

    private final LockMetrics metrics;

    private final Map<String, DefaultLockLease> held = new ConcurrentHashMap<>();

    private final Map<String, Long> highestTokens = new ConcurrentHashMap<>();

    private final ScheduledExecutorService watchdog;

    private final ExecutorService renewals;

    private volatile boolean closing;

    public DefaultLockRegistry(LockStore store, Duration defaultLease, String instanceId, LockMetrics metrics) {
        if (defaultLease.toMillis() < 3 * TICK_MILLIS) {
            throw new IllegalArgumentException("A lease must be at least " + 3 * TICK_MILLIS + " ms");
        }
        this.store = store;
        this.defaultLease = defaultLease;
        this.instanceId = instanceId;
        this.metrics = metrics;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("reliant-lock-watchdog"));
        this.renewals = Executors.newCachedThreadPool(daemon("reliant-lock-renewal"));
        this.watchdog.scheduleWithFixedDelay(this::watch, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public Optional<LockLease> tryAcquire(String name) {
        return tryAcquire(name, defaultLease);
    }

    @Override
    public Optional<LockLease> tryAcquire(String name, Duration lease) {
        if (lease.toMillis() < 3 * TICK_MILLIS) {
            throw new IllegalArgumentException("A lease must be at least " + 3 * TICK_MILLIS + " ms, was " + lease);
        }
        String holder = instanceId + ":" + UUID.randomUUID().toString().substring(0, 8);
        long sent = System.nanoTime();
        Optional<LockGrant> grant = store.tryAcquire(name, holder, lease, highestTokens.getOrDefault(name, 0L));
        if (grant.isEmpty()) {
            return Optional.empty();
        }
        highestTokens.merge(name, grant.get().token(), Math::max);
        DefaultLockLease acquired = new DefaultLockLease(grant.get(), lease, sent, this);
        held.put(holder, acquired);
        metrics.acquired(name);
        return Optional.of(acquired);
    }

    @Override
    public LockLease acquire(String name, Duration lease, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Duration pause = FIRST_RETRY;
        while (true) {
            Optional<LockLease> acquired = tryAcquire(name, lease);
            if (acquired.isPresent()) {
                return acquired.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new LockNotAcquiredException(name, wait);
            }
            LockSupport.parkNanos(Math.min(left, pause.toNanos()));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new LockNotAcquiredException(name, wait);
            }
            pause = pause.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : pause.multipliedBy(2);
        }
    }

    @Override
    public List<LockLease> held() {
        return List.copyOf(held.values());
    }

    /**
     * Records that a write with a token of the name was refused by a fence at {@code fenceToken}: later
     * acquisitions, here and (through the store) elsewhere, get a token above it.
     */
    public void fenceAhead(String name, long fenceToken) {
        highestTokens.merge(name, fenceToken, Math::max);
        try {
            store.raiseTokenFloor(name, fenceToken);
        }
        catch (RuntimeException ex) {
            log.warn("Could not raise the token floor of lock '{}' to {}; this instance will still pass it", name,
                    fenceToken, ex);
        }
    }

    /** The default lease. */
    public Duration defaultLease() {
        return defaultLease;
    }

    void forget(DefaultLockLease lease) {
        held.remove(lease.holder(), lease);
    }

    Optional<Instant> releaseAtStore(DefaultLockLease lease) {
        try {
            return store.release(lease.name(), lease.holder(), lease.token());
        }
        catch (RuntimeException ex) {
            log.warn("Could not release lock '{}' (token {}); it frees itself when its lease runs out", lease.name(),
                    lease.token(), ex);
            return Optional.empty();
        }
    }

    private void watch() {
        long now = System.nanoTime();
        for (DefaultLockLease lease : held.values()) {
            if (lease.runsOutWithin(now, TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS))) {
                lost(lease, "its lease ran out before a renewal confirmed it");
            }
            else if (lease.renewalDue(now)) {
                lease.renewalSent(now);
                renewals.execute(() -> renew(lease, now));
            }
        }
    }

    private void renew(DefaultLockLease lease, long sent) {
        Optional<Instant> renewed;
        try {
            renewed = store.renew(lease.name(), lease.holder(), lease.token(), lease.lease());
        }
        catch (RuntimeException ex) {
            if (closing) {
                log.debug("Renewing lock '{}' (token {}) ended by the shutdown", lease.name(), lease.token(), ex);
            }
            else {
                log.warn("Renewing lock '{}' (token {}) failed; retrying until its lease runs out", lease.name(),
                        lease.token(), ex);
            }
            lease.renewalFailed();
            return;
        }
        if (renewed.isPresent()) {
            lease.renewed(sent, renewed.get());
        }
        else {
            lost(lease, "the store no longer has it for this holder");
        }
    }

    private void lost(DefaultLockLease lease, String reason) {
        forget(lease);
        if (lease.lose()) {
            log.warn("Lost lock '{}' (token {}): {}", lease.name(), lease.token(), reason);
            metrics.lost(lease.name());
        }
    }

    /**
     * Stops the watchdog, lets the renewals under way finish (a release racing a renewal would leave the outcome
     * to chance), then releases every held lease.
     */
    @Override
    public void close() {
        closing = true;
        try {
            watchdog.shutdownNow();
            watchdog.awaitTermination(TICK_MILLIS * 10, TimeUnit.MILLISECONDS);
            renewals.shutdown();
            if (!renewals.awaitTermination(defaultLease.toMillis(), TimeUnit.MILLISECONDS)) {
                renewals.shutdownNow();
            }
        }
        catch (InterruptedException ex) {
            renewals.shutdownNow();
            Thread.currentThread().interrupt();
        }
        held().forEach(LockLease::release);
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

}
