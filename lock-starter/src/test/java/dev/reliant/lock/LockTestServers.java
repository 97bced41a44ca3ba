package dev.reliant.lock;

import java.time.Duration;
import java.util.Locale;

import javax.sql.DataSource;

import dev.reliant.lock.jdbc.JdbcLockStore;
import dev.reliant.lock.jdbc.LockSchemaMigrator;
import dev.reliant.lock.redis.RedisLockStore;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/** The lock tables, Redis connections and store instances the tests build on the test servers. */
public final class LockTestServers {

    public static final String LOCK_TABLE = "reliant_lock";

    public static final String FENCE_TABLE = "reliant_lock_fence";

    private LockTestServers() {
    }

    /** The store kinds every store-independent test runs against. */
    public enum Kind {

        REDIS, JDBC

    }

    /** Creates the starter's tables in the data source's schema. */
    public static void migrate(DataSource dataSource) {
        new LockSchemaMigrator(dataSource, LOCK_TABLE, FENCE_TABLE, "reliant_lock_schema_history").migrate();
    }

    /** A started connection factory; commands time out after {@code timeout}. */
    public static LettuceConnectionFactory redisConnection(String host, int port, Duration timeout) {
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
            .commandTimeout(timeout)
            .clientOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(timeout)).build())
            .build();
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port),
                client);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    public static LettuceConnectionFactory redisConnection() {
        TestRedis.Server redis = TestRedis.server();
        return redisConnection(redis.host(), redis.port(), Duration.ofSeconds(5));
    }

    public static RedisLockStore redisStore(LettuceConnectionFactory factory, String prefix) {
        return new RedisLockStore(new StringRedisTemplate(factory), prefix);
    }

    public static JdbcLockStore jdbcStore(DataSource dataSource) {
        return new JdbcLockStore(new JdbcTemplate(dataSource), LOCK_TABLE);
    }

    /** Spring properties that point a child application at the test servers with the given store. */
    public static String[] springProperties(Kind kind, TestPostgres.Schema schema, String redisPrefix) {
        TestRedis.Server redis = TestRedis.server();
        return new String[] { "spring.datasource.url=" + schema.jdbcUrl(),
                "spring.datasource.username=" + schema.username(), "spring.datasource.password=" + schema.password(),
                "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
                "reliant.lock.store=" + kind.name().toLowerCase(Locale.ROOT),
                "reliant.lock.redis.key-prefix=" + redisPrefix };
    }

}
