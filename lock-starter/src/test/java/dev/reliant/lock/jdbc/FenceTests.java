package dev.reliant.lock.jdbc;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.lock.FencedWriteRefusedException;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockTestServers;
import dev.reliant.lock.core.DefaultLockRegistry;
import dev.reliant.lock.metrics.LockMetrics;
import dev.reliant.lock.redis.RedisLockStore;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fence in PostgreSQL, checked in the writer's transaction. */
class FenceTests {

    private static HikariDataSource dataSource;

    private static JdbcTemplate jdbc;

    private static TransactionTemplate transactions;

    private static JdbcFence fence;

    private static LettuceConnectionFactory redis;

    @BeforeAll
    static void connect() {
        dataSource = TestPostgres.newSchema().dataSource(8);
        LockTestServers.migrate(dataSource);
        jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("CREATE TABLE ledger (id BIGSERIAL PRIMARY KEY, resource TEXT NOT NULL, writer TEXT NOT NULL,"
                + " token BIGINT NOT NULL)");
        transactions = new TransactionTemplate(new JdbcTransactionManager(dataSource));
        fence = new JdbcFence(jdbc, LockTestServers.FENCE_TABLE, LockMetrics.NONE, (lock, token) -> {
        });
        redis = LockTestServers.redisConnection();
    }

    @AfterAll
    static void disconnect() {
        redis.destroy();
        dataSource.close();
    }

    @Test
    void aHigherTokenAdvancesTheFenceAndALowerOneRollsBack() {
        String resource = resource();
        write(fence, resource, 5, "a");
        write(fence, resource, 7, "b");
        assertThatThrownBy(() -> write(fence, resource, 6, "c")).isInstanceOfSatisfying(
                FencedWriteRefusedException.class, ex -> {
                    assertThat(ex.token()).isEqualTo(6);
                    assertThat(ex.fenceToken()).isEqualTo(7);
                    assertThat(ex.resource()).isEqualTo(resource);
                });
        assertThat(writers(resource)).containsExactly("a", "b");
        assertThat(fence.token(resource)).hasValue(7);
    }

    @Test
    void theSameTokenPassesOnlyForTheHolderThatSetIt() {
        String resource = resource();
        write(fence, resource, 3, "a");
        write(fence, resource, 3, "a");
        assertThatThrownBy(() -> write(fence, resource, 3, "b")).isInstanceOf(FencedWriteRefusedException.class);
        assertThat(writers(resource)).containsExactly("a", "a");
    }

    @Test
    void aCheckOutsideATransactionIsAnError() {
        assertThatThrownBy(() -> fence.check(resource(), 1, "a")).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("needs a transaction");
        assertThat(fence.token("unknown")).isEmpty();
    }

    /**
     * A flushed Redis restarts the token counter low. The fence refuses the older holder and the new low token
     * alike; the refusal lifts the counter past the fence, so the holder after that writes again.
     */
    @Test
    void aFlushedTokenCounterCannotLetAnOlderHolderWrite() {
        String prefix = TestRedis.newKeyPrefix();
        RedisLockStore store = LockTestServers.redisStore(redis, prefix);
        String name = resource();
        try (DefaultLockRegistry older = registry(store); DefaultLockRegistry newer = registry(store)) {
            LockLease stale = older.tryAcquire(name, Duration.ofSeconds(30)).orElseThrow();
            JdbcFence seeding = new JdbcFence(jdbc, LockTestServers.FENCE_TABLE, LockMetrics.NONE,
                    newer::fenceAhead);
            write(seeding, name, stale, "older");
            stale.release();
            LockLease current = newer.tryAcquire(name, Duration.ofSeconds(30)).orElseThrow();
            write(seeding, name, current, "newer");
            current.release();

            new StringRedisTemplate(redis).delete(List.of(prefix + "{" + name + "}:lock", prefix + "{" + name
                    + "}:token"));
            try (DefaultLockRegistry afterFlush = registry(store)) {
                LockLease low = afterFlush.tryAcquire(name, Duration.ofSeconds(30)).orElseThrow();
                assertThat(low.token()).as("the counter restarted").isLessThan(current.token());
                assertThatThrownBy(() -> write(seeding, name, stale, "older again"))
                    .isInstanceOf(FencedWriteRefusedException.class);
                assertThatThrownBy(() -> write(seeding, name, low, "low"))
                    .isInstanceOf(FencedWriteRefusedException.class);
                low.release();
            }
            try (DefaultLockRegistry later = registry(store)) {
                LockLease seeded = later.tryAcquire(name, Duration.ofSeconds(30)).orElseThrow();
                assertThat(seeded.token()).isGreaterThan(current.token());
                write(seeding, name, seeded, "seeded");
            }
        }
        assertThat(writers(name)).containsExactly("older", "newer", "seeded");
    }

    private static void write(JdbcFence fence, String resource, long token, String writer) {
        transactions.executeWithoutResult(status -> {
            jdbc.update("INSERT INTO ledger (resource, writer, token) VALUES (?, ?, ?)", resource, writer, token);
            fence.check(resource, token, writer);
        });
    }

    private static void write(JdbcFence fence, String resource, LockLease lease, String writer) {
        transactions.executeWithoutResult(status -> {
            jdbc.update("INSERT INTO ledger (resource, writer, token) VALUES (?, ?, ?)", resource, writer,
                    lease.token());
            fence.check(resource, lease);
        });
    }

    private static List<String> writers(String resource) {
        return jdbc.queryForList("SELECT writer FROM ledger WHERE resource = ? ORDER BY id", String.class, resource);
    }

    private static DefaultLockRegistry registry(RedisLockStore store) {
        return new DefaultLockRegistry(store, Duration.ofSeconds(30), "fence-" + UUID.randomUUID(), LockMetrics.NONE);
    }

    private static String resource() {
        return "resource-" + UUID.randomUUID();
    }

}
