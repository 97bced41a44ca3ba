package dev.reliant.lock.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockNotAcquiredException;
import dev.reliant.lock.LockStore;
import dev.reliant.lock.LockTestServers;
import dev.reliant.lock.LockTestServers.Kind;
import dev.reliant.lock.metrics.LockMetrics;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Leases as holders see them, on both stores: the watchdog, lost-lease notification, waiting, token floors. */
class LockRegistryTests {

    private static LettuceConnectionFactory redis;

    private static HikariDataSource dataSource;

    @BeforeAll
    static void connect() {
        redis = LockTestServers.redisConnection();
        dataSource = TestPostgres.newSchema().dataSource(8);
        LockTestServers.migrate(dataSource);
    }

    @AfterAll
    static void disconnect() {
        redis.destroy();
        dataSource.close();
    }

    private static LockStore store(Kind kind) {
        return kind == Kind.REDIS ? LockTestServers.redisStore(redis, TestRedis.newKeyPrefix())
                : LockTestServers.jdbcStore(dataSource);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theWatchdogKeepsALeaseBeyondItsLength(Kind kind) {
        LockStore store = store(kind);
        try (DefaultLockRegistry holder = registry(store); DefaultLockRegistry other = registry(store)) {
            String name = name();
            LockLease lease = holder.tryAcquire(name, Duration.ofMillis(3000)).orElseThrow();
            await().pollDelay(Duration.ofMillis(7000)).atMost(Duration.ofSeconds(10)).until(() -> true);
            assertThat(lease.isValid()).isTrue();
            assertThat(other.tryAcquire(name, Duration.ofMillis(600))).isEmpty();
            assertThat(holder.held()).containsExactly(lease);
            assertThat(lease.expiresAt()).isAfter(lease.acquiredAt().plusMillis(6000));
            assertThat(lease.release()).isTrue();
            assertThat(lease.releasedAt()).isPresent();
            assertThat(holder.held()).isEmpty();
            assertThat(other.tryAcquire(name, Duration.ofMillis(600))).isPresent();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aLeaseTakenAwayAtTheStoreIsReportedLost(Kind kind) {
        LockStore store = store(kind);
        try (DefaultLockRegistry holder = registry(store)) {
            String name = name();
            LockLease lease = holder.tryAcquire(name, Duration.ofMillis(900)).orElseThrow();
            List<LockLease> lost = new CopyOnWriteArrayList<>();
            lease.onLost(lost::add);
            store.release(name, lease.holder(), lease.token());
            long taken = store.tryAcquire(name, "intruder", Duration.ofSeconds(30), 0).orElseThrow().token();
            assertThat(taken).isGreaterThan(lease.token());
            await().atMost(Duration.ofSeconds(3)).until(() -> !lost.isEmpty());
            assertThat(lost).containsExactly(lease);
            assertThat(lease.isValid()).isFalse();
            assertThat(holder.held()).isEmpty();
            assertThat(lease.release()).isFalse();
            List<LockLease> late = new CopyOnWriteArrayList<>();
            lease.onLost(late::add);
            assertThat(late).as("a listener added after the loss runs at once").containsExactly(lease);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void acquireWaitsForTheHolderOrGivesUp(Kind kind) {
        LockStore store = store(kind);
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        try (DefaultLockRegistry first = registry(store); DefaultLockRegistry second = registry(store)) {
            String name = name();
            LockLease held = first.tryAcquire(name, Duration.ofSeconds(30)).orElseThrow();
            assertThatThrownBy(() -> second.acquire(name, Duration.ofSeconds(30), Duration.ofMillis(300)))
                .isInstanceOf(LockNotAcquiredException.class);
            later.schedule(held::release, 500, TimeUnit.MILLISECONDS);
            LockLease next = second.acquire(name, Duration.ofSeconds(30), Duration.ofSeconds(10));
            assertThat(next.token()).isGreaterThan(held.token());
            assertThat(held.isValid()).isFalse();
        }
        finally {
            later.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRegistryNeverTakesATokenBelowOneItHeld(Kind kind) {
        LockStore store = store(kind);
        try (DefaultLockRegistry registry = registry(store)) {
            String name = name();
            long first = registry.tryAcquire(name, Duration.ofSeconds(5)).orElseThrow().token();
            registry.held().forEach(LockLease::release);
            registry.fenceAhead(name, first + 40);
            Optional<LockLease> next = registry.tryAcquire(name, Duration.ofSeconds(5));
            assertThat(next.orElseThrow().token()).isGreaterThan(first + 40);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void closingTheRegistryReleasesItsLeases(Kind kind) {
        LockStore store = store(kind);
        String name = name();
        LockLease lease;
        try (DefaultLockRegistry registry = registry(store)) {
            lease = registry.tryAcquire(name, Duration.ofSeconds(30)).orElseThrow();
        }
        assertThat(lease.isValid()).isFalse();
        try (DefaultLockRegistry other = registry(store)) {
            assertThat(other.tryAcquire(name, Duration.ofSeconds(30))).isPresent();
        }
    }

    static DefaultLockRegistry registry(LockStore store) {
        return new DefaultLockRegistry(store, Duration.ofSeconds(30), "test-" + UUID.randomUUID(), LockMetrics.NONE);
    }

    private static String name() {
        return "registry-" + UUID.randomUUID();
    }

}
