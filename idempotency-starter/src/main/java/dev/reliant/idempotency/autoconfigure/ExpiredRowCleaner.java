package dev.reliant.idempotency.autoconfigure;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;

/** Deletes expired rows of a starter table periodically, in bounded batches, on a daemon thread of its own. */
final class ExpiredRowCleaner implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ExpiredRowCleaner.class);

    /** How long stopping waits for the batch under way, which the batch size keeps short. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final ScheduledExecutorService scheduler;

    private volatile boolean stopping;

    ExpiredRowCleaner(String threadName) {
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs {@code purge} (given a batch size, returning how many rows went) every {@code interval}. */
    void schedule(String what, IntUnaryOperator purge, Duration interval, int batchSize) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                int deleted;
                do {
                    deleted = purge.applyAsInt(batchSize);
                }
                while (deleted == batchSize && !stopping);
            }
            catch (RuntimeException ex) {
                if (stopping) {
                    log.debug("Deleting expired {} ended by the shutdown", what, ex);
                }
                else {
                    log.warn("Deleting expired {} failed; trying again in {}", what, interval, ex);
                }
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets the batch under way finish, then stops: no statement outlives the data source it uses. */
    @Override
    public void destroy() throws InterruptedException {
        stopping = true;
        scheduler.shutdown();
        if (!scheduler.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            scheduler.shutdownNow();
        }
    }
}
