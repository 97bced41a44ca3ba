package dev.reliant.lock.leader;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.reliant.lock.LeaderCandidate;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Runs for each {@link LeaderCandidate} an election on the lock named after its role: every retry interval, a
 * candidate that does not lead tries the lock; when it gets it, it is granted the role with the lease, and when the
 * lease is lost (or the application stops) the role is revoked, once.
 */
public class LeaderElection implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    private final LockRegistry registry;

    private final List<Campaign> campaigns;

    private final Duration lease;

    private final Duration retryInterval;

    private ScheduledExecutorService executor;

    private volatile boolean stopping;

    public LeaderElection(LockRegistry registry, List<LeaderCandidate> candidates, Duration lease,
            Duration retryInterval) {
        this.registry = registry;
        this.campaigns = candidates.stream().map(Campaign::new).toList();
        this.lease = lease;
        this.retryInterval = retryInterval;
    }

    @Override
    public synchronized void start() {
        if (executor != null || campaigns.isEmpty()) {
            return;
        }
        stopping = false;
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "reliant-lock-leader-election");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::round, 0, retryInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor == null) {
            return;
        }
        stopping = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(retryInterval.toMillis() + 5000, TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        executor = null;
        campaigns.forEach(Campaign::resign);
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }

    private void round() {
        for (Campaign campaign : campaigns) {
            try {
                campaign.run();
            }
            catch (RuntimeException ex) {
                if (stopping) {
                    log.debug("Election for role '{}' ended by the shutdown", campaign.candidate.role(), ex);
                }
                else {
                    log.warn("Election for role '{}' failed this round; trying again in {}",
                            campaign.candidate.role(), retryInterval, ex);
                }
            }
        }
    }

    private final class Campaign {

        private final LeaderCandidate candidate;

        private final AtomicReference<LockLease> leading = new AtomicReference<>();

        Campaign(LeaderCandidate candidate) {
            this.candidate = candidate;
        }

        void run() {
            if (leading.get() != null) {
                return;
            }
            Optional<LockLease> acquired = registry.tryAcquire(candidate.role(), lease);
            if (acquired.isEmpty()) {
                return;
            }
            LockLease granted = acquired.get();
            leading.set(granted);
            granted.onLost(this::revoke);
            candidate.onGranted(granted);
        }

        void resign() {
            LockLease current = leading.get();
            if (current != null && revoke(current)) {
                current.release();
            }
        }

        private boolean revoke(LockLease lease) {
            if (!leading.compareAndSet(lease, null)) {
                return false;
            }
            try {
                candidate.onRevoked(lease);
            }
            catch (RuntimeException ex) {
                log.warn("Role '{}': onRevoked failed", candidate.role(), ex);
            }
            return true;
        }

    }

}
