package dev.reliant.outbox;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.outbox.cleanup.OutboxCleaner;
import dev.reliant.outbox.relay.NotificationWaiter;
import dev.reliant.outbox.relay.OutboxRelay;
import dev.reliant.outbox.support.Ledger;
import dev.reliant.outbox.support.OutboxFixture;
import dev.reliant.testsupport.Latches;
import dev.reliant.testsupport.LogCapture;
import dev.reliant.testsupport.TableLock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stopping while background work is under way: the stop waits for it, so that no statement outlives the data
 * source, and a failure it meets (its connection broken, as by a database shutting down) is the shutdown's doing:
 * logged at debug, not as a warning. The same failure while running is still a warning.
 */
class OutboxShutdownTests {

    @Test
    void cleanerStopWaitsForTheBatchUnderWayAndReportsItsFailureAtDebug() throws Exception {
        try (OutboxFixture fixture = new OutboxFixture();
                LogCapture log = LogCapture.of(OutboxCleaner.class)) {
            OutboxCleaner cleaner = new OutboxCleaner(fixture.jdbc, fixture.tables, Duration.ZERO,
                    Duration.ofDays(1), Duration.ofMillis(100), 50);
            CompletableFuture<Void> stopped;
            try (TableLock lock = TableLock.exclusive(fixture.dataSource, "reliant_outbox")) {
                cleaner.start();
                int batch = await().atMost(Duration.ofSeconds(30))
                    .until(() -> lock.waiter("DELETE FROM"), Optional::isPresent)
                    .orElseThrow();
                stopped = CompletableFuture.runAsync(cleaner::stop);
                await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(5))
                    .alias("the stop waits for the batch under way")
                    .until(() -> !stopped.isDone());
                lock.terminate(batch);
                stopped.get(30, TimeUnit.SECONDS);
            }

            assertThat(log.at(Level.WARN)).isEmpty();
            assertThat(log.at(Level.DEBUG)).anyMatch((line) -> line.contains("ended by the shutdown"));
        }
    }

    @Test
    void relayRoundBrokenWhileStoppingIsReportedAtDebug() throws Exception {
        try (OutboxFixture fixture = new OutboxFixture();
                LogCapture relayLog = LogCapture.of(OutboxRelay.class);
                LogCapture heartbeatLog = LogCapture.of(Class.forName("dev.reliant.outbox.relay.InstanceHeartbeat"))) {
            CountDownLatch settling = new CountDownLatch(1);
            CountDownLatch settle = new CountDownLatch(1);
            OutboxRelay relay = fixture.relay(new Ledger()).beforeComplete((completion) -> {
                settling.countDown();
                Latches.awaitOpen(settle);
            }).start();
            fixture.write("orders", "k", Map.of("n", 1));
            Latches.awaitOpen(settling);

            try (TableLock lock = TableLock.exclusive(fixture.dataSource, "reliant_outbox")) {
                CompletableFuture<Void> stopped = CompletableFuture.runAsync(relay::stop);
                await().atMost(Duration.ofSeconds(5)).until(() -> !relay.isRunning());
                settle.countDown();
                // the settling statement, and whatever else of the relay's waits for the table, loses its connection
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    lock.waiter("").ifPresent(lock::terminate);
                    return stopped.isDone();
                });
                stopped.get();
            }

            assertThat(relayLog.at(Level.WARN)).isEmpty();
            assertThat(relayLog.at(Level.DEBUG)).anyMatch((line) -> line.contains("round ended by the shutdown"));
            assertThat(heartbeatLog.at(Level.WARN)).isEmpty();
        }
    }

    @Test
    void heartbeatBrokenWhileStoppingIsReportedAtDebug() throws Exception {
        try (OutboxFixture fixture = new OutboxFixture();
                LogCapture log = LogCapture.of(Class.forName("dev.reliant.outbox.relay.InstanceHeartbeat"))) {
            OutboxRelay relay = fixture.relay(new Ledger()).liveness(Duration.ofSeconds(10), Duration.ofMillis(100))
                .start();
            fixture.write("orders", "k", Map.of("n", 1));
            try (TableLock lock = TableLock.exclusive(fixture.dataSource, "reliant_outbox_instances")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> lock.waiter("alive_until").isPresent());
                CompletableFuture<Void> stopped = CompletableFuture.runAsync(relay::stop);
                await().atMost(Duration.ofSeconds(5)).until(() -> !relay.isRunning());
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    lock.waiter("").ifPresent(lock::terminate);
                    return stopped.isDone();
                });
                stopped.get();
            }

            assertThat(log.at(Level.WARN)).isEmpty();
            assertThat(log.at(Level.DEBUG)).anyMatch((line) -> line.contains("heartbeat ended by the shutdown"));
        }
    }

    /**
     * A beat waiting for a connection of an exhausted pool, as when the database is gone, is interrupted by the stop:
     * the stop does not wait for the pool's connection timeout (30 s here) before it can reach the heartbeat.
     */
    @Test
    void stopInterruptsAHeartbeatWaitingForAConnection() throws Exception {
        try (OutboxFixture fixture = new OutboxFixture(2)) {
            Set<Thread> before = heartbeats();
            OutboxRelay relay = fixture.relay(new Ledger())
                .listen(false)
                .pollInterval(Duration.ofHours(1))
                .liveness(Duration.ofSeconds(10), Duration.ofMillis(100))
                .start();
            Thread heartbeat = await().atMost(Duration.ofSeconds(30))
                .until(() -> heartbeats().stream().filter((thread) -> !before.contains(thread)).findFirst(),
                        Optional::isPresent)
                .orElseThrow();
            List<Connection> held = new ArrayList<>();
            CompletableFuture<Void> stopped;
            try {
                while (held.size() < 2) {
                    held.add(fixture.dataSource.getConnection());
                }
                await().atMost(Duration.ofSeconds(30))
                    .alias("the next beat waits for a connection")
                    .until(() -> Arrays.stream(heartbeat.getStackTrace())
                        .anyMatch((frame) -> frame.getMethodName().equals("getConnection")));
                stopped = CompletableFuture.runAsync(relay::stop);
                await().atMost(Duration.ofSeconds(5))
                    .alias("the heartbeat ends while the pool is still exhausted")
                    .until(() -> !heartbeat.isAlive());
                assertThat(stopped).as("removing the instance needs a connection").isNotDone();
            }
            finally {
                for (Connection connection : held) {
                    connection.close();
                }
            }
            stopped.get(30, TimeUnit.SECONDS);
            assertThat(fixture.jdbc.queryForObject("SELECT count(*) FROM reliant_outbox_instances", Long.class))
                .as("the instance removed once connections were free again")
                .isZero();
        }
    }

    private static Set<Thread> heartbeats() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter((thread) -> thread.getName().equals("reliant-outbox-relay-heartbeat"))
            .collect(Collectors.toSet());
    }

    @Test
    void notificationConnectionBrokenIsAWarningWhileRunningAndDebugWhileStopping() throws Exception {
        try (OutboxFixture fixture = new OutboxFixture();
                HikariDataSource runningPool = fixture.schema.dataSource(1);
                HikariDataSource stoppingPool = fixture.schema.dataSource(1);
                LogCapture log = LogCapture.of(NotificationWaiter.class)) {
            NotificationWaiter running = new NotificationWaiter(runningPool, fixture.tables.channel());
            breakListeningConnection(fixture, running);
            assertThat(log.at(Level.WARN)).singleElement()
                .asString()
                .contains("Outbox notification connection failed");

            NotificationWaiter stopping = new NotificationWaiter(stoppingPool, fixture.tables.channel());
            stopping.stopping(true);
            breakListeningConnection(fixture, stopping);
            assertThat(log.at(Level.WARN)).hasSize(1);
            assertThat(log.at(Level.DEBUG)).anyMatch((line) -> line.contains("failed while stopping"));
        }
    }

    /** Opens the waiter's connection, ends its server process, and waits once more on the broken connection. */
    private static void breakListeningConnection(OutboxFixture fixture, NotificationWaiter waiter)
            throws InterruptedException {
        waiter.await(Duration.ofMillis(1));
        fixture.terminateListener();
        waiter.await(Duration.ofMillis(100));
    }
}
