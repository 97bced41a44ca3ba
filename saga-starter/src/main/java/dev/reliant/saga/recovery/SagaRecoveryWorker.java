package dev.reliant.saga.recovery;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.reliant.saga.core.SagaEngine;
import dev.reliant.saga.jdbc.ClaimedSaga;
import dev.reliant.saga.jdbc.JdbcSagaLog;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.log.LogMessage;
import org.springframework.context.SmartLifecycle;

/**
 * Finishes the sagas of processes that died: claims sagas whose lease ran out (a new fencing generation each) and
 * runs their remaining compensations. Any number of workers may run at once; {@code SKIP LOCKED} keeps them off
 * each other's sagas. It also deletes finished sagas once they are older than the retention.
 */
public class SagaRecoveryWorker implements SmartLifecycle {

    private static final Log log = LogFactory.getLog(SagaRecoveryWorker.class);

    private final SagaEngine engine;

    private final JdbcSagaLog sagaLog;

    private final String owner;

    private final Duration lease;

    private final Duration interval;

    private final int batchSize;

    private final Duration retention;

    private ScheduledExecutorService scheduler;

    private volatile boolean stopping;

    public SagaRecoveryWorker(SagaEngine engine, JdbcSagaLog sagaLog, String owner, Duration lease,
            Duration interval, int batchSize, Duration retention) {
        this.engine = engine;
        this.sagaLog = sagaLog;
        this.owner = owner;
        this.lease = lease;
        this.interval = interval;
        this.batchSize = batchSize;
        this.retention = retention;
    }

    /**
     * Recovers orphaned sagas until none is left, or until the worker is stopping: the sagas already claimed are
     * finished, no more are claimed. Returns how many were claimed.
     */
    public int recoverOrphans() {
        int recovered = 0;
        List<ClaimedSaga> claimed;
        do {
            claimed = sagaLog.claimOrphans(owner, batchSize, lease);
            for (ClaimedSaga saga : claimed) {
                log.info(LogMessage.format("Recovering saga %s (%s), generation %d", saga.ref().id(),
                        saga.ref().name(), saga.ref().generation()));
                engine.compensateClaimed(saga);
            }
            recovered += claimed.size();
        }
        while (claimed.size() == batchSize && !stopping);
        return recovered;
    }

    /** Deletes finished sagas older than the retention, in bounded batches. */
    public int deleteExpired() {
        int deleted = 0;
        int batch;
        do {
            batch = sagaLog.deleteFinished(retention, batchSize);
            deleted += batch;
        }
        while (batch == batchSize);
        return deleted;
    }

    private void poll() {
        try {
            recoverOrphans();
            deleteExpired();
        }
        catch (RuntimeException ex) {
            if (stopping) {
                log.debug("Saga recovery pass ended by the shutdown", ex);
            }
            else {
                log.warn(LogMessage.format("Saga recovery pass failed; retrying in %s", interval), ex);
            }
        }
    }

    @Override
    public synchronized void start() {
        if (scheduler == null) {
            stopping = false;
            scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "reliant-saga-recovery");
                thread.setDaemon(true);
                return thread;
            });
            scheduler.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Lets the pass under way finish the sagas it claimed, then stops; only a pass still running after a lease is
     * interrupted, since by then other processes may recover its sagas anyway.
     */
    @Override
    public void stop() {
        ScheduledExecutorService stopped;
        synchronized (this) {
            stopped = scheduler;
            scheduler = null;
            stopping = true;
        }
        if (stopped == null) {
            return;
        }
        stopped.shutdown();
        try {
            if (!stopped.awaitTermination(lease.toMillis(), TimeUnit.MILLISECONDS)) {
                stopped.shutdownNow();
                stopped.awaitTermination(lease.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        catch (InterruptedException ex) {
            stopped.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

}
