package dev.reliant.lock.process;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.lock.FencedWriteRefusedException;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockStore;
import dev.reliant.lock.LockTestServers;
import dev.reliant.lock.LockTestServers.Kind;
import dev.reliant.lock.core.DefaultLockRegistry;
import dev.reliant.lock.jdbc.JdbcFence;
import dev.reliant.lock.metrics.LockMetrics;
import dev.reliant.testsupport.TcpProxy;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The lock store becomes unreachable for the holder (a proxy between them is cut) while another instance still
 * reaches it. On both stores the holder learns its lease is lost before the other instance can take the lock,
 * and once the other instance has written, the holder's writes are refused as well. With the JDBC store the fence
 * sits behind the same cut, so the holder cannot write at all during the outage.
 */
class StoreOutageTest {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theHolderLearnsItsLeaseIsLostBeforeAnotherCanTakeTheLock(Kind kind) {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        String prefix = TestRedis.newKeyPrefix();
        String lock = "outage-" + UUID.randomUUID();
        TestRedis.Server redisServer = TestRedis.server();
        TcpProxy proxy = (kind == Kind.REDIS) ? TcpProxy.start(redisServer.host(), redisServer.port())
                : TcpProxy.start("127.0.0.1", postgresPort(schema.jdbcUrl()));
        LettuceConnectionFactory direct = LockTestServers.redisConnection();
        LettuceConnectionFactory proxied = LockTestServers.redisConnection("127.0.0.1", proxy.port(),
                Duration.ofSeconds(2));
        try (HikariDataSource dataSource = schema.dataSource(4);
                HikariDataSource holderDataSource = proxiedDataSource(schema, proxy.port())) {
            LockTestServers.migrate(dataSource);
            LockStore holderStore = (kind == Kind.REDIS) ? LockTestServers.redisStore(proxied, prefix)
                    : LockTestServers.jdbcStore(holderDataSource);
            LockStore otherStore = (kind == Kind.REDIS) ? LockTestServers.redisStore(direct, prefix)
                    : LockTestServers.jdbcStore(dataSource);
            try (DefaultLockRegistry holder = registry(holderStore, "holder");
                    DefaultLockRegistry other = registry(otherStore, "other")) {
                LockLease held = holder.tryAcquire(lock, Duration.ofMillis(1500)).orElseThrow();
                AtomicLong lostAt = new AtomicLong();
                held.onLost(lease -> lostAt.set(System.nanoTime()));

                proxy.cut();
                LockLease taken = await().atMost(30, TimeUnit.SECONDS)
                    .pollInterval(10, TimeUnit.MILLISECONDS)
                    .until(() -> other.tryAcquire(lock, Duration.ofSeconds(30)), Optional::isPresent)
                    .orElseThrow();
                long takenAt = System.nanoTime();
                assertThat(lostAt.get()).as("the holder was told its lease is lost").isNotZero();
                assertThat(takenAt - lostAt.get()).as("lost before the other took it").isPositive();
                assertThat(held.isValid()).isFalse();
                assertThat(taken.token()).isGreaterThan(held.token());

                JdbcTemplate jdbc = new JdbcTemplate(dataSource);
                TransactionTemplate transactions = new TransactionTemplate(new JdbcTransactionManager(dataSource));
                JdbcFence fence = new JdbcFence(jdbc, LockTestServers.FENCE_TABLE, LockMetrics.NONE,
                        other::fenceAhead);
                transactions.executeWithoutResult(status -> fence.check(lock, taken));
                proxy.restore();
                assertThatThrownBy(() -> transactions.executeWithoutResult(status -> fence.check(lock, held)))
                    .isInstanceOf(FencedWriteRefusedException.class);
                System.out.printf("OUTAGE %s: holder told of the loss %d ms before the other instance took the"
                        + " lock%n", kind, TimeUnit.NANOSECONDS.toMillis(takenAt - lostAt.get()));
            }
            schema.drop(dataSource);
        }
        finally {
            proxy.close();
            proxied.destroy();
            direct.destroy();
        }
    }

    private static DefaultLockRegistry registry(LockStore store, String instance) {
        return new DefaultLockRegistry(store, Duration.ofSeconds(30), instance, LockMetrics.NONE);
    }

    private static int postgresPort(String jdbcUrl) {
        String hostAndPort = jdbcUrl.substring("jdbc:postgresql://".length()).split("/", 2)[0];
        return hostAndPort.contains(":") ? Integer.parseInt(hostAndPort.substring(hostAndPort.indexOf(':') + 1))
                : 5432;
    }

    private static HikariDataSource proxiedDataSource(TestPostgres.Schema schema, int port) {
        String rest = schema.jdbcUrl().substring("jdbc:postgresql://".length()).split("/", 2)[1];
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/" + rest + "&socketTimeout=2&connectTimeout=1");
        config.setUsername(schema.username());
        config.setPassword(schema.password());
        config.setMaximumPoolSize(2);
        config.setConnectionTimeout(500);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

}
