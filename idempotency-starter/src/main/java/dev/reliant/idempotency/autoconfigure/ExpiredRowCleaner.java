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

    private final ScheduledExecutorService scheduler;

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
                while (deleted == batchSize);
            }
            catch (RuntimeException ex) {
                log.warn("Deleting expired {} failed; trying again in {}", what, interval, ex);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }
}
