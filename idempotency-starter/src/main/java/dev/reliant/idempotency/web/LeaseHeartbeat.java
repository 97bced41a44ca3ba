package dev.reliant.idempotency.web;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * Keeps a running request's claim alive by renewing its lease at a fixed interval, so a handler may take longer
 * than one lease while a crashed owner's claim still lapses after one. A renewal the store refuses means another
 * request took the key; that is remembered and reported when the request finishes.
 * <p>
 * One sweeper thread renews every running request's lease when it falls due, all of them at once without waiting
 * for each answer (a Redis client pipelines them), so that a slow store delays no lease behind another. Starting and
 * stopping a request's renewals only adds it to and removes it from a concurrent set: nearly every request finishes
 * long before its first renewal, and scheduling a task for each would cost it a lock on a shared queue twice.
 * <p>
 * Renewal stops after the maximum execution time: a handler that hangs (a deadlock, a call without a timeout) must
 * not hold its key for ever. Its claim then lapses like a crashed owner's, and a retry takes the key over; if the
 * hung request finishes after all, its outcome is fenced off.
 */
public class LeaseHeartbeat implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(LeaseHeartbeat.class);

    /** How long stopping waits for renewals under way, which the store's time limit bounds. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /** How often the sweeper looks for due renewals, at most: a renewal is at most this late. */
    private static final Duration SWEEP_INTERVAL = Duration.ofMillis(50);

    private final GuardedIdempotencyStore store;

    private final Duration interval;

    private final Duration maxExecutionTime;

    private final Set<Beat> running = ConcurrentHashMap.newKeySet();

    private final Set<CompletableFuture<Boolean>> renewals = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService sweeper;

    /**
     * @param interval how often to renew; {@code null} for a third of each request's lease
     * @param maxExecutionTime how long after its start a request's lease is renewed at most
     */
    public LeaseHeartbeat(GuardedIdempotencyStore store, Duration interval, Duration maxExecutionTime) {
        this.store = store;
        this.interval = interval;
        this.maxExecutionTime = maxExecutionTime;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "reliant-idempotency-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long sweepMillis = Math.max(1, ((interval != null && interval.compareTo(SWEEP_INTERVAL) < 0) ? interval
                : SWEEP_INTERVAL).toMillis());
        this.sweeper.scheduleWithFixedDelay(this::sweepSafely, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /** Starts renewing the claim of {@code owner} on {@code key} until the returned beat is stopped. */
    public Beat start(String key, String owner, Duration lease) {
        long every = Math.max(1, ((interval != null) ? interval : lease.dividedBy(3)).toNanos());
        long now = System.nanoTime();
        Beat beat = new Beat(running, key, owner, lease, every, now + every, now + maxExecutionTime.toNanos());
        running.add(beat);
        return beat;
    }

    /** A scheduled task that throws is never run again: every lease would then lapse. */
    private void sweepSafely() {
        try {
            sweep();
        }
        catch (RuntimeException ex) {
            log.warn("Renewing the leases of running idempotent requests failed; trying again", ex);
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Beat beat : running) {
            if (beat.renewing || now - beat.due < 0) {
                continue;
            }
            if (now - beat.deadline > 0) {
                beat.stop();
                log.warn("Idempotent request for key {} has run longer than {}; its lease is no longer renewed, so a "
                        + "retry takes the key over once the lease lapses", beat.key, maxExecutionTime);
                continue;
            }
            beat.renewing = true;
            beat.due = now + beat.every;
            CompletableFuture<Boolean> renewal = store.renew(beat.key, beat.owner, beat.lease);
            renewals.add(renewal);
            renewal.whenComplete((renewed, ex) -> {
                renewals.remove(renewal);
                beat.renewing = false;
                if (ex != null) {
                    // Not a lost claim: the next beat tries again, and the lease still covers the gap until it
                    // runs out.
                    log.debug("Lease renewal of an idempotency key failed", ex);
                }
                else if (!renewed) {
                    beat.lost = true;
                    beat.stop();
                }
            });
        }
    }

    /**
     * Stops renewing and waits for the renewals under way, so that none outlives the store's connections. The web
     * server has drained its requests by now; a request still running loses its key when its lease lapses.
     */
    @Override
    public void destroy() throws InterruptedException {
        sweeper.shutdown();
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        if (!sweeper.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            sweeper.shutdownNow();
        }
        try {
            CompletableFuture.allOf(renewals.toArray(CompletableFuture[]::new))
                .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (ExecutionException | TimeoutException ex) {
            log.debug("A lease renewal under way at shutdown did not finish", ex);
        }
    }

    /** One request's renewals. */
    public static final class Beat {

        private final Set<Beat> running;

        private final String key;

        private final String owner;

        private final Duration lease;

        private final long every;

        private final long deadline;

        /** When the next renewal is due; read and written by the sweeper only. */
        private long due;

        private volatile boolean renewing;

        private volatile boolean lost;

        private Beat(Set<Beat> running, String key, String owner, Duration lease, long every, long due,
                long deadline) {
            this.running = running;
            this.key = key;
            this.owner = owner;
            this.lease = lease;
            this.every = every;
            this.due = due;
            this.deadline = deadline;
        }

        public void stop() {
            running.remove(this);
        }

        /** Whether the store refused a renewal because the claim had passed to another request. */
        public boolean lost() {
            return lost;
        }
    }
}
