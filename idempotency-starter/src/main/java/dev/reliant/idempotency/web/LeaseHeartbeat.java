package dev.reliant.idempotency.web;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.idempotency.resilience.IdempotencyStoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * Keeps a running request's claim alive by renewing its lease at a fixed interval, so a handler may take longer
 * than one lease while a crashed owner's claim still lapses after one. A renewal the store refuses means another
 * request took the key; that is remembered and reported when the request finishes.
 * <p>
 * Renewal stops after the maximum execution time: a handler that hangs (a deadlock, a call without a timeout) must
 * not hold its key for ever. Its claim then lapses like a crashed owner's, and a retry takes the key over; if the
 * hung request finishes after all, its outcome is fenced off.
 */
public class LeaseHeartbeat implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(LeaseHeartbeat.class);

    /** How long stopping waits for a renewal under way, which the store's command timeout bounds. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final GuardedIdempotencyStore store;

    private final Duration interval;

    private final Duration maxExecutionTime;

    private final ScheduledExecutorService scheduler;

    /**
     * @param interval how often to renew; {@code null} for a third of each request's lease
     * @param maxExecutionTime how long after its start a request's lease is renewed at most
     */
    public LeaseHeartbeat(GuardedIdempotencyStore store, Duration interval, Duration maxExecutionTime) {
        this.store = store;
        this.interval = interval;
        this.maxExecutionTime = maxExecutionTime;
        AtomicInteger threads = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2, runnable -> {
            Thread thread = new Thread(runnable, "reliant-idempotency-heartbeat-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // Nearly every beat is stopped long before its first renewal; keep cancelled ones out of the queue.
        executor.setRemoveOnCancelPolicy(true);
        this.scheduler = executor;
    }

    /** Starts renewing the claim of {@code owner} on {@code key} until the returned beat is stopped. */
    public Beat start(String key, String owner, Duration lease) {
        long every = ((interval != null) ? interval : lease.dividedBy(3)).toMillis();
        Beat beat = new Beat(System.nanoTime() + maxExecutionTime.toNanos());
        beat.task = scheduler.scheduleAtFixedRate(() -> renew(beat, key, owner, lease), every, Math.max(1, every),
                TimeUnit.MILLISECONDS);
        return beat;
    }

    private void renew(Beat beat, String key, String owner, Duration lease) {
        if (System.nanoTime() - beat.deadline > 0) {
            beat.stop();
            log.warn("Idempotent request for key {} has run longer than {}; its lease is no longer renewed, so a "
                    + "retry takes the key over once the lease lapses", key, maxExecutionTime);
            return;
        }
        try {
            if (!store.renew(key, owner, lease)) {
                beat.lost = true;
                beat.stop();
            }
        }
        catch (IdempotencyStoreUnavailableException ex) {
            // Not a lost claim: the next beat tries again, and the lease still covers the gap until it runs out.
            log.debug("Lease renewal of an idempotency key failed", ex);
        }
    }

    /**
     * Cancels every beat and waits for a renewal under way, so that none outlives the store's connections. The web
     * server has drained its requests by now; a request still running loses its key when its lease lapses.
     */
    @Override
    public void destroy() throws InterruptedException {
        scheduler.shutdown();
        if (!scheduler.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            scheduler.shutdownNow();
        }
    }

    /** One request's renewals. */
    public static final class Beat {

        private final long deadline;

        private volatile ScheduledFuture<?> task;

        private volatile boolean lost;

        private Beat(long deadline) {
            this.deadline = deadline;
        }

        public void stop() {
            ScheduledFuture<?> current = task;
            if (current != null) {
                current.cancel(false);
            }
        }

        /** Whether the store refused a renewal because the claim had passed to another request. */
        public boolean lost() {
            return lost;
        }
    }
}
