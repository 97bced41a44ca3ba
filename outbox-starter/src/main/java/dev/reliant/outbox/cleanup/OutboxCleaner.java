package dev.reliant.outbox.cleanup;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.reliant.outbox.jdbc.OutboxTables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Deletes published outbox rows once they are older than the retention, and inbox records past theirs, in bounded
 * batches so that no statement holds many locks or runs long. Only rows in status {@code PUBLISHED} are ever
 * deleted from the outbox: a row can reach that status only after its acknowledgement and never leaves it.
 */
public class OutboxCleaner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxCleaner.class);

    /** How long a stop waits for the batch under way, which the batch size keeps short. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final JdbcTemplate jdbc;

    private final Duration interval;

    private final int batchSize;

    private final String deletePublished;

    private final String deleteProcessed;

    private final Duration outboxRetention;

    private final Duration inboxRetention;

    private volatile ScheduledExecutorService executor;

    private volatile boolean stopping;

    public OutboxCleaner(JdbcTemplate jdbc, OutboxTables tables, Duration outboxRetention, Duration inboxRetention,
            Duration interval, int batchSize) {
        this.jdbc = jdbc;
        this.outboxRetention = outboxRetention;
        this.inboxRetention = inboxRetention;
        this.interval = interval;
        this.batchSize = batchSize;
        this.deletePublished = "DELETE FROM " + tables.outbox() + " WHERE id IN (SELECT id FROM " + tables.outbox()
                + " WHERE status = 'PUBLISHED' AND published_at <= now() - ? * interval '1 millisecond' LIMIT ?)"
                + " AND status = 'PUBLISHED'";
        this.deleteProcessed = "DELETE FROM " + tables.inbox() + " WHERE ctid IN (SELECT ctid FROM " + tables.inbox()
                + " WHERE processed_at <= now() - ? * interval '1 millisecond' LIMIT ?)";
    }

    /**
     * Deletes everything that is past its retention now.
     * @return the number of outbox rows deleted
     */
    public long clean() {
        long deleted = deleteInBatches(deletePublished, outboxRetention);
        deleteInBatches(deleteProcessed, inboxRetention);
        return deleted;
    }

    private long deleteInBatches(String sql, Duration retention) {
        long total = 0;
        int deleted;
        do {
            deleted = jdbc.update(sql, retention.toMillis(), batchSize);
            total += deleted;
        }
        while (deleted == batchSize && !stopping);
        return total;
    }

    @Override
    public void start() {
        stopping = false;
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
            Thread thread = new Thread(task, "reliant-outbox-cleanup");
            thread.setDaemon(true);
            return thread;
        });
        executor = scheduler;
        scheduler.scheduleWithFixedDelay(this::cleanQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void cleanQuietly() {
        try {
            long deleted = clean();
            if (deleted > 0) {
                log.debug("Deleted {} published outbox messages", deleted);
            }
        }
        catch (RuntimeException ex) {
            if (stopping) {
                log.debug("Outbox cleanup ended by the shutdown", ex);
            }
            else {
                log.warn("Outbox cleanup failed; trying again in {}", interval, ex);
            }
        }
    }

    /** Lets the batch under way finish, then stops: no statement outlives the stop, nor the data source. */
    @Override
    public void stop() {
        ScheduledExecutorService scheduler = executor;
        executor = null;
        if (scheduler == null) {
            return;
        }
        stopping = true;
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                scheduler.shutdownNow();
            }
        }
        catch (InterruptedException ex) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
