package dev.reliant.outbox.jdbc;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Wakes listening relays when a transaction that wrote outbox messages commits, by a {@code NOTIFY} sent just before
 * the commit.
 * <p>
 * PostgreSQL serialises the commits of notifying transactions: it holds a database-wide lock from queueing the
 * notification until the commit has ended, so that notifications arrive in commit order. Notifying on every commit
 * therefore caps concurrent writers at one commit per WAL flush (here about 3,300 commits/s for 8 writers that
 * commit 23,000 single-row inserts/s without it). So a transaction skips the {@code NOTIFY} when one from this
 * process committed less than {@code interval} ago: the relays that notification woke keep polling for their poll
 * interval after any activity, which covers this commit as long as the interval plus the time a commit takes is
 * shorter than the relays' poll interval.
 * <p>
 * This instance's own relay is told directly, after every commit, notified or not: it need not wait for the
 * notification's round trip through the database, nor for its next poll when the notification was skipped.
 */
public class CommitNotifier {

    private final JdbcTemplate jdbc;

    private final String channel;

    private final long intervalNanos;

    private final AtomicLong lastCommitted;

    private final List<Runnable> localListeners = new CopyOnWriteArrayList<>();

    /**
     * @param interval how long after a committed notification later commits skip theirs; zero notifies on every
     * commit
     */
    public CommitNotifier(JdbcTemplate jdbc, String channel, Duration interval) {
        this.jdbc = jdbc;
        this.channel = channel;
        this.intervalNanos = interval.toNanos();
        this.lastCommitted = new AtomicLong(System.nanoTime() - intervalNanos - 1);
    }

    /**
     * Runs {@code listener} on the committing thread after each commit of a transaction that wrote outbox messages
     * through this notifier. It must return at once: the writer's commit has happened, but its caller still waits.
     */
    public void addLocalListener(Runnable listener) {
        localListeners.add(listener);
    }

    /** Arranges, once per transaction, for the current transaction's commit to wake the relays. */
    public void onWrite() {
        if (TransactionSynchronizationManager.hasResource(this)) {
            return;
        }
        TransactionSynchronizationManager.bindResource(this, Boolean.TRUE);
        TransactionSynchronizationManager.registerSynchronization(new Notification());
    }

    private final class Notification implements TransactionSynchronization {

        private boolean sent;

        @Override
        public void beforeCommit(boolean readOnly) {
            if (System.nanoTime() - lastCommitted.get() > intervalNanos) {
                jdbc.queryForObject("SELECT 1 FROM (SELECT pg_notify(?, '')) AS sent", Integer.class, channel);
                sent = true;
            }
        }

        @Override
        public void afterCommit() {
            if (sent) {
                lastCommitted.set(System.nanoTime());
            }
            localListeners.forEach(Runnable::run);
        }

        /** A transaction started inside this one (REQUIRES_NEW) notifies for its own writes, at its own commit. */
        @Override
        public void suspend() {
            TransactionSynchronizationManager.unbindResource(CommitNotifier.this);
        }

        @Override
        public void resume() {
            TransactionSynchronizationManager.bindResource(CommitNotifier.this, Boolean.TRUE);
        }

        @Override
        public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(CommitNotifier.this);
        }

    }

}
