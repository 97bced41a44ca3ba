package dev.reliant.benchmarks.lock;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.benchmarks.support.Cost;
import dev.reliant.benchmarks.support.CountingDataSource;
import dev.reliant.benchmarks.support.CountingRedisClient;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;
import dev.reliant.lock.LockGrant;
import dev.reliant.lock.LockStore;
import dev.reliant.lock.jdbc.JdbcFence;
import dev.reliant.lock.jdbc.JdbcLockStore;
import dev.reliant.lock.jdbc.LockSchemaMigrator;
import dev.reliant.lock.metrics.LockMetrics;
import dev.reliant.lock.redis.RedisLockStore;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The cost of a fenced lock on one thread: acquiring and releasing on the Redis and the PostgreSQL store, and the
 * fence check a write pays, measured as a transaction with one insert with and without the check, interleaved so
 * that both see the same machine. Round trips are counted at the clients: Redis commands sent, and SQL statements
 * plus commits sent through the {@code DataSource}.
 */
public final class LockBenchmark {

    private LockBenchmark() {
    }

    public static void run(Options options) {
        int warmup = options.pick(2_000, 50);
        int measured = options.pick(10_000, 200);
        URI redisUri = Servers.redis();
        CountingRedisClient redisCommands = new CountingRedisClient();
        LettuceConnectionFactory redis = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(redisUri.getHost(), redisUri.getPort()));
        redis.afterPropertiesSet();
        redisCommands.postProcessAfterInitialization(redis, "redis");
        redis.start();
        CountingDataSource statements = new CountingDataSource();
        try (Servers.Schema schema = Servers.newSchema("lock"); HikariDataSource pool = schema.dataSource(2)) {
            DataSource dataSource = (DataSource) statements.postProcessAfterInitialization(pool, "dataSource");
            new LockSchemaMigrator(dataSource, "reliant_lock", "reliant_lock_fence", "reliant_lock_schema_history")
                .migrate();
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            jdbc.execute("CREATE TABLE report (id BIGSERIAL PRIMARY KEY, token BIGINT NOT NULL)");
            RedisLockStore redisStore = new RedisLockStore(new StringRedisTemplate(redis),
                    Servers.newRedisKeyPrefix());
            JdbcLockStore jdbcStore = new JdbcLockStore(jdbc, "reliant_lock");
            JdbcFence fence = new JdbcFence(jdbc, "reliant_lock_fence", LockMetrics.NONE, (lock, token) -> {
            });
            TransactionTemplate transactions = new TransactionTemplate(new JdbcTransactionManager(dataSource));

            Cost redisLock = new Cost(() -> sum(redisCommands.snapshot()));
            Cost jdbcLock = new Cost(statements::statements, statements::commits);
            Cost plainWrite = new Cost(statements::statements, statements::commits);
            Cost fencedWrite = new Cost(statements::statements, statements::commits);
            String holder = "bench-" + UUID.randomUUID();
            for (int i = 0; i < warmup + measured; i++) {
                boolean record = i >= warmup;
                String name = "bench-lock-" + (i % 16);
                redisLock.measure(record, () -> acquireAndRelease(redisStore, name, holder));
                jdbcLock.measure(record, () -> acquireAndRelease(jdbcStore, name, holder));
                long token = i + 1;
                plainWrite.measure(record, () -> transactions.executeWithoutResult(
                        status -> jdbc.update("INSERT INTO report (token) VALUES (?)", token)));
                fencedWrite.measure(record, () -> transactions.executeWithoutResult(status -> {
                    jdbc.update("INSERT INTO report (token) VALUES (?)", token);
                    fence.check("bench-resource", token, holder);
                }));
            }
            new Table("operation", "p50 µs", "p99 µs", "round trips")
                .row("Redis store: acquire + release", redisLock.micros(50), redisLock.micros(99),
                        redisLock.perOperation())
                .row("PostgreSQL store: acquire + release", jdbcLock.micros(50), jdbcLock.micros(99),
                        jdbcLock.perOperation())
                .row("transaction with one insert", plainWrite.micros(50), plainWrite.micros(99),
                        plainWrite.perOperation())
                .row("same, fence checked", fencedWrite.micros(50), fencedWrite.micros(99),
                        fencedWrite.perOperation())
                .row("fence check (difference)", fencedWrite.micros(50) - plainWrite.micros(50),
                        fencedWrite.micros(99) - plainWrite.micros(99),
                        fencedWrite.perOperation() - plainWrite.perOperation())
                .print(String.format("Fenced locks: %d iterations after %d warm-up, one thread%s", measured, warmup,
                        options.smoke() ? " (smoke)" : ""));
        }
        finally {
            redis.destroy();
        }
    }

    private static void acquireAndRelease(LockStore store, String name, String holder) {
        LockGrant grant = store.tryAcquire(name, holder, Duration.ofSeconds(30), 0)
            .orElseThrow(() -> new IllegalStateException("Lock " + name + " was not free"));
        if (store.release(name, holder, grant.token()).isEmpty()) {
            throw new IllegalStateException("Lock " + name + " was lost before its release");
        }
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

}
