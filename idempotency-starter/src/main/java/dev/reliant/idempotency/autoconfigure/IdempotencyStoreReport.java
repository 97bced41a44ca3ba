package dev.reliant.idempotency.autoconfigure;

import java.util.Optional;

import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.autoconfigure.IdempotencyProperties.StoreType;
import dev.reliant.idempotency.jdbc.JdbcIdempotencyStore;
import dev.reliant.idempotency.memory.InMemoryIdempotencyStore;
import dev.reliant.idempotency.redis.RedisIdempotencyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Logs once, when the context's singletons exist, which store keeps the idempotency records and what the choice was
 * based on: under AUTO it follows what the application configured, so the line names that, and how to choose
 * otherwise.
 */
final class IdempotencyStoreReport implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyStoreReport.class);

    private final IdempotencyStore store;

    private final StoreType configured;

    private final Optional<String> redisConfiguration;

    /**
     * @param redisConfiguration why a Redis connection counts as configured, empty when none is
     */
    IdempotencyStoreReport(IdempotencyStore store, StoreType configured, Optional<String> redisConfiguration) {
        this.store = store;
        this.configured = configured;
        this.redisConfiguration = redisConfiguration;
    }

    @Override
    public void afterSingletonsInstantiated() {
        log.info(line());
    }

    String line() {
        return "Reliant idempotency: " + choice();
    }

    private String choice() {
        if (store instanceof RedisIdempotencyStore redis) {
            String why = (configured == StoreType.REDIS) ? "reliant.idempotency.store=redis"
                    : redisConfiguration.orElse("the application's own RedisIdempotencyStore");
            return "Redis store through " + redis.client().name() + " (" + why + ")";
        }
        if (store instanceof JdbcIdempotencyStore) {
            return "JDBC store on the application's DataSource (" + whyJdbc() + ")";
        }
        if (store instanceof InMemoryIdempotencyStore) {
            return "in-memory store, records kept in this JVM only (reliant.idempotency.store=memory)";
        }
        return "the application's own store (" + store.getClass().getName() + ")";
    }

    private String whyJdbc() {
        if (configured == StoreType.JDBC) {
            return "reliant.idempotency.store=jdbc";
        }
        return redisConfiguration
            .map(redis -> "Redis is configured (" + redis
                    + ") but there is no LettuceConnectionFactory or JedisConnectionFactory, which the Redis store"
                    + " needs")
            .orElse("no Redis connection configured; set spring.data.redis.host or reliant.idempotency.store=redis"
                    + " to use Redis");
    }
}
