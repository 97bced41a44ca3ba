package dev.reliant.lock.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockStore;
import dev.reliant.lock.LockTestServers;
import dev.reliant.lock.LockTestServers.Kind;
import dev.reliant.lock.core.DefaultLockRegistry;
import dev.reliant.lock.jdbc.JdbcFence;
import dev.reliant.lock.metrics.LockMetrics;
import dev.reliant.testsupport.ChildJvm;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The stale leader: process A takes the lock and is frozen with SIGSTOP past its lease; B takes the lock with a
 * higher token and writes; A is resumed with SIGCONT and writes. A's transaction must be refused and rolled back,
 * B's row must stand. Once with the fence checked through the helper, once by the automatic check of a
 * {@code @Locked} method's transaction, on both stores.
 */
class FrozenHolderTest {

    private static final Pattern ACQUIRED = Pattern.compile("ACQUIRED (\\d+)");

    @ParameterizedTest(name = "{0} store, {1}")
    @CsvSource({ "REDIS, frozen-helper", "REDIS, frozen-auto", "JDBC, frozen-helper", "JDBC, frozen-auto" })
    void aFrozenHolderCannotWriteAfterALaterHolderHas(Kind kind, String mode) throws Exception {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        String prefix = TestRedis.newKeyPrefix();
        String lock = "frozen-" + UUID.randomUUID();
        Path go = Files.createTempDirectory("frozen").resolve("go");
        LettuceConnectionFactory redis = LockTestServers.redisConnection();
        try (HikariDataSource dataSource = schema.dataSource(4)) {
            LockTestServers.migrate(dataSource);
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            jdbc.execute("CREATE TABLE ledger (id BIGSERIAL PRIMARY KEY, writer TEXT NOT NULL, token BIGINT NOT NULL)");
            LockStore store = (kind == Kind.REDIS) ? LockTestServers.redisStore(redis, prefix)
                    : LockTestServers.jdbcStore(dataSource);
            try (ChildJvm frozen = ChildProcesses.start(mode, "frozen", lock, go.toString(), kind, schema, prefix);
                    DefaultLockRegistry later = new DefaultLockRegistry(store, Duration.ofSeconds(30), "later",
                            LockMetrics.NONE)) {
                await().atMost(240, TimeUnit.SECONDS)
                    .until(() -> ACQUIRED.matcher(frozen.output()).find() || !frozen.isAlive());
                Matcher acquired = ACQUIRED.matcher(frozen.output());
                assertThat(acquired.find()).as("child output:%n%s", frozen.output()).isTrue();
                long frozenToken = Long.parseLong(acquired.group(1));

                frozen.pause();
                LockLease lease = await().atMost(30, TimeUnit.SECONDS)
                    .pollInterval(50, TimeUnit.MILLISECONDS)
                    .until(() -> later.tryAcquire(lock, Duration.ofSeconds(30)), Optional::isPresent)
                    .orElseThrow();
                assertThat(lease.token()).isGreaterThan(frozenToken);
                JdbcFence fence = new JdbcFence(jdbc, LockTestServers.FENCE_TABLE, LockMetrics.NONE, later::fenceAhead);
                new TransactionTemplate(new JdbcTransactionManager(dataSource)).executeWithoutResult(status -> {
                    jdbc.update("INSERT INTO ledger (writer, token) VALUES ('later', ?)", lease.token());
                    fence.check(lock, lease);
                });

                frozen.resume();
                Files.createFile(go);
                assertThat(frozen.waitFor(180)).as("child output:%n%s", frozen.output()).isZero();
                assertThat(frozen.output()).as("the frozen holder's outcome")
                    .contains("REFUSED " + lease.token())
                    .doesNotContain("COMMITTED");
                List<String> writers = jdbc.queryForList("SELECT writer || ':' || token FROM ledger ORDER BY id",
                        String.class);
                assertThat(writers).containsExactly("later:" + lease.token());
                assertThat(fence.token(lock)).hasValue(lease.token());
                System.out.printf("FROZEN HOLDER %s %s: token %d frozen, token %d wrote, frozen holder: %s%n", kind,
                        mode, frozenToken, lease.token(), frozen.output().lines()
                            .filter(line -> line.startsWith("REFUSED") || line.startsWith("COMMITTED"))
                            .findFirst()
                            .orElse("?"));
            }
            schema.drop(dataSource);
        }
        finally {
            redis.destroy();
        }
    }

}
