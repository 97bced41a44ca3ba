package dev.reliant.lock.autoconfigure;

import java.util.Optional;

import dev.reliant.lock.Fence;
import dev.reliant.lock.LockStore;
import dev.reliant.lock.autoconfigure.LockProperties.StoreType;
import dev.reliant.lock.jdbc.JdbcFence;
import dev.reliant.lock.jdbc.JdbcLockStore;
import dev.reliant.lock.redis.RedisLockStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Logs once, when the context's singletons exist, which store keeps the locks and what the choice was based on, and
 * where the fence is: under AUTO the store follows what the application configured, so the line names that, and how
 * to choose otherwise.
 */
final class LockStoreReport implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(LockStoreReport.class);

    private final LockStore store;

    private final ObjectProvider<Fence> fence;

    private final LockProperties properties;

    private final Optional<String> redisConfiguration;

    /**
     * @param redisConfiguration why a Redis connection counts as configured, empty when none is
     */
    LockStoreReport(LockStore store, ObjectProvider<Fence> fence, LockProperties properties,
            Optional<String> redisConfiguration) {
        this.store = store;
        this.fence = fence;
        this.properties = properties;
        this.redisConfiguration = redisConfiguration;
    }

    @Override
    public void afterSingletonsInstantiated() {
        log.info(line());
    }

    String line() {
        return "Reliant lock: " + store() + "; " + fence();
    }

    private String store() {
        StoreType configured = properties.getStore();
        if (store instanceof RedisLockStore) {
            return "Redis lock store (" + ((configured == StoreType.REDIS) ? "reliant.lock.store=redis"
                    : redisConfiguration.orElse("the application's own RedisLockStore")) + ")";
        }
        if (store instanceof JdbcLockStore) {
            return "JDBC lock store on the application's DataSource (" + ((configured == StoreType.JDBC)
                    ? "reliant.lock.store=jdbc"
                    : redisConfiguration.map(redis -> "Redis is configured (" + redis
                            + ") but there is no RedisConnectionFactory bean")
                        .orElse("no Redis connection configured; set spring.data.redis.host or reliant.lock.store=redis"
                                + " to use Redis"))
                    + ")";
        }
        return "the application's own lock store (" + store.getClass().getName() + ")";
    }

    private String fence() {
        Fence fence = this.fence.getIfUnique();
        if (fence instanceof JdbcFence) {
            return "fence in the application's DataSource (table " + properties.getFence().getTable() + ")";
        }
        if (fence != null) {
            return "the application's own fence (" + fence.getClass().getName() + ")";
        }
        return "no fence (" + (properties.getFence().isEnabled() ? "no DataSource" : "reliant.lock.fence.enabled=false")
                + ")";
    }

}
