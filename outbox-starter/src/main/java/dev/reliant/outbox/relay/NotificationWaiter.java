package dev.reliant.outbox.relay;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the relay sleep until a writer's transaction commits: one dedicated connection {@code LISTEN}s on the
 * outbox channel, and waiting is a timed read of its notifications. When the connection breaks, waiting falls
 * back to plain sleeping for the poll interval and the connection is opened again on the next wait.
 */
public class NotificationWaiter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NotificationWaiter.class);

    /** How long waiting falls back to sleeping before the next attempt to listen again. */
    private static final long RELISTEN_DELAY_NANOS = Duration.ofSeconds(5).toNanos();

    private final DataSource dataSource;

    private final String channel;

    private Connection connection;

    private PGConnection listening;

    private long nextListenAttempt = System.nanoTime();

    /** Whether the relay is stopping: a failure then is most likely the shutdown's own doing. */
    private volatile boolean stopping;

    public NotificationWaiter(DataSource dataSource, String channel) {
        this.dataSource = dataSource;
        this.channel = channel;
    }

    /**
     * Waits until a notification arrives or {@code timeout} passes.
     * @return true when woken by a notification
     */
    public boolean await(Duration timeout) throws InterruptedException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        if (!listen()) {
            Thread.sleep(millis);
            return false;
        }
        try {
            PGNotification[] notifications = listening.getNotifications(millis);
            return notifications != null && notifications.length > 0;
        }
        catch (SQLException ex) {
            if (stopping) {
                log.debug("Outbox notification connection failed while stopping", ex);
            }
            else {
                log.warn("Outbox notification connection failed; polling until it is reopened", ex);
            }
            close();
            nextListenAttempt = System.nanoTime() + RELISTEN_DELAY_NANOS;
            Thread.sleep(millis);
            return false;
        }
    }

    /**
     * Opens the listening connection unless it is open, or was lost too recently to try again.
     * @return whether notifications are being received
     */
    boolean listen() {
        if (listening != null) {
            return true;
        }
        if (System.nanoTime() - nextListenAttempt < 0) {
            return false;
        }
        try {
            Connection opened = dataSource.getConnection();
            try {
                // LISTEN takes effect at commit; a pool handing out connections in a transaction would delay it
                opened.setAutoCommit(true);
                try (Statement statement = opened.createStatement()) {
                    statement.execute("LISTEN " + channel);
                }
                listening = opened.unwrap(PGConnection.class);
                connection = opened;
                return true;
            }
            catch (SQLException | RuntimeException ex) {
                closeQuietly(opened);
                throw ex;
            }
        }
        catch (SQLException | RuntimeException ex) {
            if (stopping) {
                log.debug("Could not listen for outbox notifications while stopping", ex);
            }
            else {
                log.warn("Could not listen for outbox notifications; polling instead", ex);
            }
            nextListenAttempt = System.nanoTime() + RELISTEN_DELAY_NANOS;
            return false;
        }
    }

    /** Tells the waiter whether the relay is stopping ({@code true}) or running again ({@code false}). */
    public void stopping(boolean stopping) {
        this.stopping = stopping;
    }

    @Override
    public void close() {
        Connection current = connection;
        connection = null;
        listening = null;
        if (current != null) {
            unlisten(current);
            closeQuietly(current);
        }
    }

    /**
     * Stops listening before the connection goes back to its pool, which resets no {@code LISTEN}: a pooled
     * connection left listening would hold notifications nobody reads, and hold back the server's notification
     * queue. The statement goes through the pool's own connection, so that if the connection is broken (its failure
     * came through the unwrapped driver connection, which the pool does not see) the pool sees it fail and discards
     * the connection instead of handing it to the next borrower.
     */
    private static void unlisten(Connection connection) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("UNLISTEN *");
        }
        catch (SQLException ex) {
            log.debug("The outbox notification connection could not stop listening; it is closed broken", ex);
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        }
        catch (SQLException ex) {
            log.debug("Closing the outbox notification connection failed", ex);
        }
    }
}
