package dev.reliant.lock.core;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.lock.GatedLockStore;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockTestServers;
import dev.reliant.lock.metrics.LockMetrics;
import dev.reliant.testsupport.LogCapture;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closing the registry while a renewal is under way: the close waits for it before releasing the leases, so that
 * a release never races a renewal, and a renewal that fails then is the shutdown's doing (debug).
 */
class LockRegistryShutdownTests {

    private static HikariDataSource dataSource;

    @BeforeAll
    static void connect() {
        dataSource = TestPostgres.newSchema().dataSource(4);
        LockTestServers.migrate(dataSource);
    }

    @AfterAll
    static void disconnect() {
        dataSource.close();
    }

    @Test
    void closeWaitsForTheRenewalUnderWayThenReleases() throws Exception {
        GatedLockStore store = new GatedLockStore(LockTestServers.jdbcStore(dataSource));
        DefaultLockRegistry registry = new DefaultLockRegistry(store, Duration.ofSeconds(3), "closing",
                LockMetrics.NONE);
        LockLease lease = registry.tryAcquire("close-" + UUID.randomUUID()).orElseThrow();
        GatedLockStore.Gate renewal = store.holdRenewals();
        renewal.awaitReached();

        CompletableFuture<Void> closed = CompletableFuture.runAsync(registry::close);
        await().during(Duration.ofMillis(500))
            .atMost(Duration.ofSeconds(5))
            .alias("close waits for the renewal under way")
            .until(() -> !closed.isDone());
        renewal.open();
        closed.get(30, TimeUnit.SECONDS);

        assertThat(store.calls()).containsExactly("renewed", "release");
        assertThat(lease.releasedAt()).isPresent();
    }

    @Test
    void aRenewalBrokenWhileClosingIsReportedAtDebug() throws Exception {
        GatedLockStore store = new GatedLockStore(LockTestServers.jdbcStore(dataSource));
        DefaultLockRegistry registry = new DefaultLockRegistry(store, Duration.ofSeconds(3), "closing",
                LockMetrics.NONE);
        registry.tryAcquire("close-" + UUID.randomUUID()).orElseThrow();
        GatedLockStore.Gate renewal = store.holdRenewals();
        renewal.awaitReached();
        try (LogCapture log = LogCapture.of(DefaultLockRegistry.class)) {
            CompletableFuture<Void> closed = CompletableFuture.runAsync(registry::close);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !closed.isDone());
            renewal.fail(() -> new IllegalStateException("connection closed"));
            closed.get(30, TimeUnit.SECONDS);

            assertThat(log.at(Level.WARN)).isEmpty();
            assertThat(log.at(Level.DEBUG)).anyMatch((line) -> line.contains("ended by the shutdown"));
        }
    }
}
