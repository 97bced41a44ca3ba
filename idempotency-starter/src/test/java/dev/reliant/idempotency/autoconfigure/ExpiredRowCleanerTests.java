package dev.reliant.idempotency.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import dev.reliant.testsupport.LogCapture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Destroying the cleaner while a batch is under way: it waits for the batch, so that no statement outlives the
 * data source, deletes no further batch, and a failure the batch meets then is the shutdown's doing (debug). The
 * same failure while running is a warning.
 */
class ExpiredRowCleanerTests {

    @Test
    void destroyWaitsForTheBatchUnderWayAndReportsItsFailureAtDebug() throws Exception {
        ExpiredRowCleaner cleaner = new ExpiredRowCleaner("test-cleanup");
        CountDownLatch inBatch = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        try (LogCapture log = LogCapture.of(ExpiredRowCleaner.class)) {
            cleaner.schedule("test rows", (batchSize) -> {
                inBatch.countDown();
                awaitUninterruptibly(fail);
                throw new IllegalStateException("connection closed");
            }, Duration.ofMillis(10), 10);
            assertThat(inBatch.await(30, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Void> destroyed = CompletableFuture.runAsync(() -> destroy(cleaner));
            await().during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(5))
                .alias("destroy waits for the batch under way")
                .until(() -> !destroyed.isDone());
            fail.countDown();
            destroyed.get(30, TimeUnit.SECONDS);

            assertThat(log.at(Level.WARN)).isEmpty();
            assertThat(log.at(Level.DEBUG)).anyMatch((line) -> line.contains("ended by the shutdown"));
        }
    }

    @Test
    void destroyDeletesNoFurtherBatch() throws Exception {
        ExpiredRowCleaner cleaner = new ExpiredRowCleaner("test-cleanup");
        CountDownLatch inBatch = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        AtomicInteger batches = new AtomicInteger();
        cleaner.schedule("test rows", (batchSize) -> {
            batches.incrementAndGet();
            inBatch.countDown();
            awaitUninterruptibly(proceed);
            // a full batch: more rows are waiting
            return batchSize;
        }, Duration.ofMillis(10), 10);
        assertThat(inBatch.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> destroyed = CompletableFuture.runAsync(() -> destroy(cleaner));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !destroyed.isDone());
        proceed.countDown();
        destroyed.get(10, TimeUnit.SECONDS);

        assertThat(batches).hasValue(1);
    }

    @Test
    void aFailedBatchWhileRunningIsAWarning() {
        ExpiredRowCleaner cleaner = new ExpiredRowCleaner("test-cleanup");
        try (LogCapture log = LogCapture.of(ExpiredRowCleaner.class)) {
            cleaner.schedule("test rows", (batchSize) -> {
                throw new IllegalStateException("connection refused");
            }, Duration.ofMillis(10), 10);
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.at(Level.WARN).isEmpty());
            assertThat(log.at(Level.WARN).get(0)).contains("Deleting expired test rows failed");
        }
        finally {
            destroy(cleaner);
        }
    }

    private static void destroy(ExpiredRowCleaner cleaner) {
        try {
            cleaner.destroy();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Waits as a statement in flight does: an interrupt does not end it. */
    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            }
            catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
