package dev.reliant.lock.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.reliant.lock.autoconfigure.LockProperties.StoreType;

/**
 * Thrown at startup when no lock store can be set up: neither the one that {@code reliant.lock.store} names nor,
 * with AUTO, any of those it chooses from has what it needs. It carries what each store lacked, so that the failure
 * analysis can say what to configure.
 */
public class NoLockStoreException extends IllegalStateException {

    private final StoreType configured;

    private final String redisConfiguration;

    private final boolean redisConnectionFactory;

    private final boolean dataSource;

    /**
     * @param configured the value of {@code reliant.lock.store}
     * @param redisConfiguration why a Redis connection counts as configured, or {@code null} when none is
     * @param redisConnectionFactory whether a {@code RedisConnectionFactory} bean exists
     * @param dataSource whether a {@code DataSource} bean exists
     */
    public NoLockStoreException(StoreType configured, String redisConfiguration, boolean redisConnectionFactory,
            boolean dataSource) {
        super(describe(configured, redisConfiguration, redisConnectionFactory));
        this.configured = configured;
        this.redisConfiguration = redisConfiguration;
        this.redisConnectionFactory = redisConnectionFactory;
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

    public boolean hasDataSource() {
        return dataSource;
    }

    private static String describe(StoreType configured, String redisConfiguration, boolean redisConnectionFactory) {
        List<String> reasons = new ArrayList<>();
        if (configured != StoreType.JDBC) {
            reasons.add("Redis: " + (!redisConnectionFactory
                    ? "there is no RedisConnectionFactory bean (spring-boot-starter-data-redis is not on the class"
                            + " path, or its auto-configuration is off)"
                    : "no Redis connection is configured: none of spring.data.redis.url, host, port, username,"
                            + " password, sentinel.* or cluster.nodes is set, and there is neither a service"
                            + " connection nor a RedisConnectionFactory of the application's (the one Spring Boot"
                            + " creates for localhost by default does not count)"));
        }
        if (configured != StoreType.REDIS) {
            reasons.add("JDBC: there is no DataSource bean");
        }
        String chosen = (configured == StoreType.AUTO) ? "the stores that auto chooses from are"
                : "the store it names is";
        return "No store for locks: reliant.lock.store is " + configured.name().toLowerCase(Locale.ROOT) + ", and "
                + chosen + " not available.\n\t- " + String.join("\n\t- ", reasons);
    }

}
