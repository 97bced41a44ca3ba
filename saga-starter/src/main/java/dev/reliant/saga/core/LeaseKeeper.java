package dev.reliant.saga.core;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.reliant.saga.jdbc.JdbcSagaLog;
import dev.reliant.saga.jdbc.SagaRef;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.log.LogMessage;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.util.Assert;

/**
 * Renews, in one statement per beat, the lease of every saga this process owns, so that only a process that
 * stopped (or stalled longer than the lease) loses its sagas to recovery. It also knows, without asking the
 * database, until when each lease surely holds: from the moment its last write or renewal was sent.
 */
public class LeaseKeeper implements InitializingBean, DisposableBean {

    private static final Log log = LogFactory.getLog(LeaseKeeper.class);

    private final JdbcSagaLog sagaLog;

    private final String owner;

    private final Duration lease;

    private final Duration renewInterval;

    private final Map<UUID, Held> owned = new ConcurrentHashMap<>();

    private ScheduledExecutorService scheduler;

    private volatile boolean stopping;

    public LeaseKeeper(JdbcSagaLog sagaLog, String owner, Duration lease, Duration renewInterval) {
        Assert.isTrue(renewInterval.compareTo(lease) < 0, "The lease renewal interval must be shorter than the lease");
        this.sagaLog = sagaLog;
        this.owner = owner;
        this.lease = lease;
        this.renewInterval = renewInterval;
    }

    public String owner() {
        return owner;
    }

    public Duration lease() {
        return lease;
    }

    /** Keeps renewing the saga's lease, which the write sent at {@code sentNanos} set. */
    void track(SagaRef saga, long sentNanos) {
        owned.put(saga.id(), new Held(saga.generation(), sentNanos + lease.toNanos()));
    }

    void track(SagaRef saga) {
        track(saga, System.nanoTime());
    }

    void untrack(SagaRef saga) {
        owned.computeIfPresent(saga.id(), (id, held) -> (held.generation() == saga.generation()) ? null : held);
    }

    /**
     * Whether no other process can have taken the saga over yet: its lease, as last set by this process, has not
     * run out. False says nothing; the log knows.
     */
    boolean surelyHeld(SagaRef saga) {
        Held held = owned.get(saga.id());
        return held != null && held.generation() == saga.generation() && System.nanoTime() - held.expiresNanos() < 0;
    }

    @Override
    public void afterPropertiesSet() {
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "reliant-saga-lease");
            thread.setDaemon(true);
            return thread;
        });
        long period = renewInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    void renew() {
        Map<UUID, Long> snapshot = new HashMap<>();
        owned.forEach((id, held) -> snapshot.put(id, held.generation()));
        if (snapshot.isEmpty()) {
            return;
        }
        long sent = System.nanoTime();
        try {
            Set<UUID> renewed = sagaLog.renewLeases(owner, snapshot, lease);
            snapshot.forEach((id, generation) -> owned.computeIfPresent(id, (key, held) -> {
                if (held.generation() != generation) {
                    return held;
                }
                if (renewed.contains(id)) {
                    return new Held(generation, sent + lease.toNanos());
                }
                log.debug(LogMessage.format("Saga %s is no longer owned by %s", id, owner));
                return null;
            }));
        }
        catch (RuntimeException | Error ex) {
            // an exception escaping a scheduled task cancels all its later runs, and every lease with them
            if (stopping) {
                log.debug(LogMessage.format("Lease renewal of %d saga(s) ended by the shutdown", snapshot.size()),
                        ex);
            }
            else {
                log.warn(LogMessage.format("Could not renew the leases of %d saga(s)", snapshot.size()), ex);
            }
        }
    }

    /**
     * Stops renewing once a renewal under way has finished, so that it never outlives the data source it uses. The
     * leases then run out by themselves, and recovery finishes whatever sagas are still unfinished.
     */
    @Override
    public void destroy() throws InterruptedException {
        if (scheduler == null) {
            return;
        }
        stopping = true;
        scheduler.shutdown();
        if (!scheduler.awaitTermination(lease.toMillis(), TimeUnit.MILLISECONDS)) {
            scheduler.shutdownNow();
        }
    }

    /** A lease this process holds, and when it runs out at the earliest, on {@link System#nanoTime()}'s clock. */
    private record Held(long generation, long expiresNanos) {
    }

}
