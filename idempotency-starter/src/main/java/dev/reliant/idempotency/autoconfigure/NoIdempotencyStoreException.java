package dev.reliant.idempotency.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.reliant.idempotency.autoconfigure.IdempotencyProperties.StoreType;

/**
 * Thrown at startup when no store for idempotency records can be set up: neither the one that
 * {@code reliant.idempotency.store} names nor, with AUTO, any of those it chooses from has what it needs. It carries
 * what each store lacked, so that the failure analysis can say what to configure.
 */
public class NoIdempotencyStoreException extends IllegalStateException {

    private final StoreType configured;

    private final String redisConfiguration;

    private final boolean redisConnectionFactory;

    private final boolean jdbcOnClassPath;

    private final boolean dataSource;

    /**
     * @param configured the value of {@code reliant.idempotency.store}
     * @param redisConfiguration why a Redis connection counts as configured, or {@code null} when none is
     * @param redisConnectionFactory whether a {@code LettuceConnectionFactory} or {@code JedisConnectionFactory} bean
     * exists
     * @param jdbcOnClassPath whether spring-jdbc and flyway-core, which the JDBC store needs, are on the class path
     * @param dataSource whether a {@code DataSource} bean exists
     */
    public NoIdempotencyStoreException(StoreType configured, String redisConfiguration,
            boolean redisConnectionFactory, boolean jdbcOnClassPath, boolean dataSource) {
        super(describe(configured, redisConfiguration, redisConnectionFactory, jdbcOnClassPath, dataSource));
        this.configured = configured;
        this.redisConfiguration = redisConfiguration;
        this.redisConnectionFactory = redisConnectionFactory;
        this.jdbcOnClassPath = jdbcOnClassPath;
        this.dataSource = dataSource;
    }

    public StoreType getConfigured() {
        return configured;
    }

    public String getRedisConfiguration() {
        return redisConfiguration;
    }

    public boolean hasRedisConnectionFactory() {
        return redisConnectionFactory;
    }

    public boolean isJdbcOnClassPath() {
        return jdbcOnClassPath;
    }

    public boolean hasDataSource() {
        return dataSource;
    }

    private static String describe(StoreType configured, String redisConfiguration, boolean redisConnectionFactory,
            boolean jdbcOnClassPath, boolean dataSource) {
        List<String> reasons = new ArrayList<>();
        if (configured == StoreType.AUTO || configured == StoreType.REDIS) {
            reasons.add("Redis: " + whyNotRedis(configured, redisConfiguration, redisConnectionFactory));
        }
        if (configured == StoreType.AUTO || configured == StoreType.JDBC) {
            reasons.add("JDBC: " + (!jdbcOnClassPath ? "spring-jdbc and flyway-core are not both on the class path"
                    : "there is no DataSource bean"));
        }
        String chosen = (configured == StoreType.AUTO) ? "the stores that auto chooses from are"
                : "the store it names is";
        return "No store for idempotency records: reliant.idempotency.store is "
                + configured.name().toLowerCase(Locale.ROOT) + ", and " + chosen + " not available.\n\t- "
                + String.join("\n\t- ", reasons);
    }

    private static String whyNotRedis(StoreType configured, String redisConfiguration,
            boolean redisConnectionFactory) {
        if (!redisConnectionFactory) {
            return (redisConfiguration != null) ? "Redis is configured (" + redisConfiguration
                    + ") but there is no LettuceConnectionFactory or JedisConnectionFactory bean, which the Redis"
                    + " store needs" : "there is no LettuceConnectionFactory or JedisConnectionFactory bean";
        }
        // only AUTO gets here: an explicit redis with a Lettuce or Jedis connection factory always has its store
        return "no Redis connection is configured: none of spring.data.redis.url, host, port, username, password,"
                + " sentinel.* or cluster.nodes is set, and there is neither a service connection nor a"
                + " RedisConnectionFactory of the application's (the one Spring Boot creates for localhost by"
                + " default does not count)";
    }
}
